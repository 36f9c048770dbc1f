#!/usr/bin/env bash
# Regression: `make test > log 2>&1` left a truncated log, because
# run-tests.sh copied each boot's report with `tee /dev/stderr`, which
# reopens the redirected file and truncates it. Run the runner on one tiny
# suite redirected to a file and check the file holds every line, in order.
. "$(dirname "$0")/lib.sh"
dir=$E2E_OUT/redirect
mkdir -p "$dir"
log=$dir/run-tests.out
E2E_LOG=$log
"$E2E_TOP/scripts/run-tests.sh" --only ktest --ktest 64M:printk --out "$dir" >"$log" 2>&1
st=$?
[ $st = 0 ] && echo "ok: status 0" || fail "run-tests.sh status $st"
[ "$(tr -d '\0' <"$log" | cmp - "$log" >/dev/null 2>&1; echo $?)" = 0 ] && echo "ok: no NUL bytes" ||
	fail "the log holds NUL bytes (a truncated file written on at an old offset)"
first=$(head -1 "$log")
[[ $first == "[PASSED] printk ("* ]] && echo "ok: first line is the suite line" ||
	fail "first line is '$first', not the printk suite line"
n=$(grep -c '^KTEST(printk, ' "$E2E_TOP/tests/kernel/printk_test.c")
expect_line "^ktest\\[64M\\]: $n passed, 0 failed, 0 skipped \\("
[[ $(tail -1 "$log") =~ ^$n\ passed,\ 0\ failed,\ 0\ skipped\ \([0-9]+\ s\)$ ]] &&
	echo "ok: last line is the summary" || fail "last line is '$(tail -1 "$log")'"
[ "$(wc -l <"$log")" = 3 ] && echo "ok: 3 lines" || fail "$(wc -l <"$log") lines, expected 3"
finish
