/*
 * Host stand-ins for the two lib/string.h number parsers that kernel/cmdline.c
 * uses and the host C library lacks: kstrtoul() and memparse(), following the
 * contracts written in include/lib/string.h (base 0 = 0x hex, 0 octal, else
 * decimal; -EINVAL for no digits or trailing junk, -ERANGE on overflow).
 * Include after host_shim.h, before kernel/cmdline.c.
 */
#ifndef CMDLINE_SHIM_H
#define CMDLINE_SHIM_H

#include <errno.h>
#include <stdlib.h>

#include "kernel/errno.h"
#include "lib/string.h"

/* Parse the digits at @s (no sign, no blanks); *end is left after them. */
static int shim_parse_ulong(const char *s, unsigned int base, unsigned long *res, const char **end)
{
	char *e;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &e, base);
	if (e == s)
		return -EINVAL;
	*end = e;
	if (errno == ERANGE)
		return -ERANGE;
	*res = v;
	return 0;
}

/* lib/string.c accepts one leading '+' here, and nothing else before the digits. */
int kstrtoul(const char *s, unsigned int base, unsigned long *res)
{
	const char *end;
	unsigned long v;
	int ret;

	if (*s == '+')
		s++;
	ret = shim_parse_ulong(s, base, &v, &end);
	if (ret == -EINVAL)
		return ret;
	if (*end != '\0')
		return -EINVAL;
	if (ret)
		return ret;
	*res = v;
	return 0;
}

int memparse(const char *s, unsigned long *res)
{
	const char *end;
	unsigned long v;
	unsigned int shift = 0;
	int ret = shim_parse_ulong(s, 0, &v, &end);

	if (ret == -EINVAL)
		return ret;
	switch (*end) {
	case 'k':
	case 'K':
		shift = 10;
		end++;
		break;
	case 'm':
	case 'M':
		shift = 20;
		end++;
		break;
	case 'g':
	case 'G':
		shift = 30;
		end++;
		break;
	case 't':
	case 'T':
		shift = 40;
		end++;
		break;
	}
	if (*end != '\0')
		return -EINVAL;
	if (ret)
		return ret;
	if (shift && v > (~0UL >> shift))
		return -ERANGE;
	*res = v << shift;
	return 0;
}

#endif /* CMDLINE_SHIM_H */
