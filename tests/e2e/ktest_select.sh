#!/usr/bin/env bash
# ktest= selects by globs on the suite and on suite.case; ktest=list prints
# every case and exits cleanly; a value that selects nothing, or that the
# command line refuses, fails at once with the suite names (it used to fall
# to the console and hang until the runner's timeout).
. "$(dirname "$0")/lib.sh"
boot 64M ktest=list 60
expect_status 0
expect_line '^# ktest: the cases, as suite\.case'
expect_line '^vmalloc\.guard_page_fault$'
expect_line '^_crash\.null_deref \(only when named\)$'
expect_line '^# ktest: [0-9]+ cases$'
expect_no_line '^KTAP version 1$'

# A suite, a suite.case, a glob on cases, and an empty item, in one list.
boot 64M "ktest=printk,,rbtree.empty_and_single,vmalloc.*guard*" 60
expect_status 0
expect_line '^1\.\.3$'
expect_line '^    # Subtest: printk$'
expect_line '^    # Subtest: rbtree$'
expect_line '^    1\.\.1$'
expect_line '^    ok 1 empty_and_single$'
expect_line '^    ok 1 guard_page_fault$'
expect_line '^    ok 2 vread_guard_zeros$'
expect_line '^    # vmalloc: 2 passed, 0 failed, 0 skipped in [0-9]+\.[0-9]{3} s$'
expect_no_line 'Subtest: (buddy|slab|_crash)'
# '*' does not reach the suites that run only when named.
boot 64M "ktest=*after_the*,printk.padding" 60
expect_status 0
expect_no_line 'after_the_fault'
expect_line '^# ktest: 1 passed, 0 failed, 0 skipped$'

for bad in no_such_suite Bad-Suite; do
	boot 64M "ktest=$bad" 60
	expect_status 1
	expect_line '^# ktest: no test matches '
	expect_line '^# ktest: suites: .*\bvmalloc\b'
	expect_line '^# ktest: suites run only when named: .*\b_crash\b'
done
expect_line "cmdline: ktest: invalid character 'B' in 'Bad-Suite'"
expect_line '^ktest: the ktest= value was refused'
finish
