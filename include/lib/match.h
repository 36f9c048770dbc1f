/*
 * Name selection for command-line lists (lib/match.c): ktest=, bench= and
 * the console take "all", a single name, a glob or a comma-separated list
 * of them, and all of them mean the same thing by it.
 */
#ifndef LIB_MATCH_H
#define LIB_MATCH_H

#include "kernel/types.h"

/*
 * Does @name match the shell-style @pattern? '*' matches any run of
 * characters (also none), '?' any one character; everything else matches
 * itself. The whole of @name must match.
 */
bool glob_match(const char *pattern, const char *name);

/*
 * Does @name match one of the comma-separated globs in @list? Empty items
 * match nothing. "all" is not special here: callers decide what it means.
 */
bool list_match(const char *list, const char *name);

#endif /* LIB_MATCH_H */
