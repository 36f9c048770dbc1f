/*
 * The console's one number parser: every command reads its numbers here,
 * so the same word means the same number everywhere (the rules are in
 * internal.h and in `help`). Addresses are hex because that is how every
 * dump prints them, so an address can be pasted from any output; counts,
 * values and sizes are decimal unless they say 0x, as in C.
 */
#include "debug/console/internal.h"
#include "kernel/errno.h"
#include "lib/string.h"

/* k, M or G (either case) as a shift, 0 for none, -1 for anything else. */
static int size_shift(const char *s)
{
	if (!s[0])
		return 0;
	if (s[1])
		return -1;
	switch (s[0]) {
	case 'k':
	case 'K':
		return 10;
	case 'm':
	case 'M':
		return 20;
	case 'g':
	case 'G':
		return 30;
	}
	return -1;
}

static int parse_kind(const char *s, enum con_num_kind kind, unsigned long *res)
{
	bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	int err, shift = 0;

	/* Base 16 takes the 0x itself; no octal: a leading 0 is decimal. */
	err = parse_ulong(s, hex || kind == CON_ADDR ? 16 : 10, res, &s);
	if (err)
		return err;
	if (kind == CON_SIZE)
		shift = size_shift(s);
	else if (*s)
		shift = -1;
	if (shift < 0)
		return -EINVAL;
	if (shift && *res > (~0UL >> shift))
		return -ERANGE;
	*res <<= shift;
	return 0;
}

int con_parse(const char *cmd, const char *what, const char *s, enum con_num_kind kind,
	      unsigned long *res)
{
	static const char *const forms[] = {
		[CON_ADDR] = "not a hex address (e.g. ffffc20000000000, 0x1000)",
		[CON_NUMBER] = "not a number (decimal, or hex with 0x)",
		[CON_SIZE] = "not a size (e.g. 4096, 64k, 2M, 0x1000)",
	};
	int err = parse_kind(s, kind, res);

	if (err)
		con_printf("%s: %s '%s' is %s\n", cmd, what, s,
			   err == -ERANGE ? "more than 64 bits" : forms[kind]);
	return err ? -EINVAL : 0;
}
