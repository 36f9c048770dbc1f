/*
 * Glob and comma-list matching, the one implementation behind every
 * "NAME[,NAME...]" option. Iterative with one backtracking point, so a
 * pattern of n characters against a name of m costs O(n * m) at worst and
 * no stack.
 */
#include "lib/match.h"

/* glob_match() over the first @plen characters of @p. */
static bool glob_match_n(const char *p, size_t plen, const char *name)
{
	size_t i = 0, star = (size_t)-1;
	const char *retry = NULL;

	while (*name) {
		if (i < plen && (p[i] == '?' || p[i] == *name) && p[i] != '*') {
			i++;
			name++;
		} else if (i < plen && p[i] == '*') {
			star = i++;
			retry = name;
		} else if (retry) {
			i = star + 1;
			name = ++retry;
		} else {
			return false;
		}
	}
	while (i < plen && p[i] == '*')
		i++;
	return i == plen;
}

bool glob_match(const char *pattern, const char *name)
{
	size_t n = 0;

	while (pattern[n])
		n++;
	return glob_match_n(pattern, n, name);
}

bool list_match(const char *list, const char *name)
{
	const char *p = list;

	for (;;) {
		const char *end = p;

		while (*end && *end != ',')
			end++;
		if (end > p && glob_match_n(p, (size_t)(end - p), name))
			return true;
		if (!*end)
			return false;
		p = end + 1;
	}
}
