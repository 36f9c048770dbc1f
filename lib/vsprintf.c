/*
 * vsnprintf and friends: the one formatter behind printk, panic and every
 * dump. It follows C99 for the standard conversions, so the host tests can
 * compare it with the C library's snprintf, and adds the kernel's pointer
 * forms:
 *
 *	%p	0x + 16 lowercase hex digits (NULL too: 0x0000000000000000)
 *	%pS	"name+0xoff/0xsize" from symbols_lookup_mod(), else the %p form;
 *		" [module]" follows for an address inside a loaded module
 *	%ps	"name", else the %p form
 *	%pB	as %pS for a return address in a backtrace: looked up at addr - 1,
 *		so that a call ending a function (to a noreturn callee) is
 *		credited to the caller, not to whatever follows it
 *
 * Output goes through struct out, which counts every character the full
 * result would have but stores only those that fit in size-1 bytes, so
 * truncation and the C99 return value fall out of one place. Unknown
 * conversions are copied to the output as written, never interpreted.
 */
#include "lib/vsprintf.h"
#include "lib/string.h"
#include "kernel/symbols.h"

#define FL_LEFT	  0x01 /* '-' */
#define FL_ZERO	  0x02 /* '0' */
#define FL_PLUS	  0x04 /* '+' */
#define FL_SPACE  0x08 /* ' ' */
#define FL_ALT	  0x10 /* '#' */
#define FL_UPPER  0x20 /* %X */
#define FL_SIGNED 0x40 /* %d, %i */

enum length_mod {
	LEN_NONE,
	LEN_HH,
	LEN_H,
	LEN_L,
	LEN_LL,
	LEN_Z,
	LEN_T,
	LEN_J
};

struct out {
	char *buf;
	size_t size; /* bytes of buf, NUL included */
	size_t len;  /* characters produced so far, stored or not */
};

struct spec {
	unsigned int flags;
	int width;
	int precision; /* -1: none given */
	unsigned int base;
	enum length_mod len;
};

static void out_char(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void out_repeat(struct out *o, char c, int n)
{
	while (n-- > 0)
		out_char(o, c);
}

static void out_mem(struct out *o, const char *s, size_t n)
{
	while (n--)
		out_char(o, *s++);
}

/* @s, @n bytes long, padded with spaces to the field width. */
static void out_field(struct out *o, const char *s, size_t n, const struct spec *sp)
{
	int pad = sp->width > (int)n ? sp->width - (int)n : 0;

	if (!(sp->flags & FL_LEFT))
		out_repeat(o, ' ', pad);
	out_mem(o, s, n);
	if (sp->flags & FL_LEFT)
		out_repeat(o, ' ', pad);
}

/*
 * One integer: [spaces][sign][0x][zeros][digits][spaces]. The zeros come
 * from the precision, or from the '0' flag filling the width when neither a
 * precision nor '-' is given.
 */
static void out_number(struct out *o, unsigned long long val, bool negative, const struct spec *sp)
{
	const char *digits = sp->flags & FL_UPPER ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24]; /* 22 octal digits cover 64 bits */
	const char *prefix = "";
	int ndigits = 0, zeros, pad, plen;
	bool nonzero = val != 0;
	char sign = 0;

	while (val) {
		tmp[ndigits++] = digits[val % sp->base];
		val /= sp->base;
	}
	if (ndigits == 0 && sp->precision != 0)
		tmp[ndigits++] = '0';

	if (negative)
		sign = '-';
	else if (sp->flags & FL_SIGNED && sp->flags & FL_PLUS)
		sign = '+';
	else if (sp->flags & FL_SIGNED && sp->flags & FL_SPACE)
		sign = ' ';

	zeros = sp->precision > ndigits ? sp->precision - ndigits : 0;
	if (sp->flags & FL_ALT) {
		if (sp->base == 8 && zeros == 0 && (ndigits == 0 || tmp[ndigits - 1] != '0'))
			zeros = 1;
		else if (sp->base == 16 && nonzero)
			prefix = sp->flags & FL_UPPER ? "0X" : "0x";
	}
	plen = (sign ? 1 : 0) + (prefix[0] ? 2 : 0);
	pad = sp->width - plen - zeros - ndigits;
	if (pad > 0 && sp->precision < 0 && (sp->flags & (FL_ZERO | FL_LEFT)) == FL_ZERO) {
		zeros += pad;
		pad = 0;
	}

	if (!(sp->flags & FL_LEFT))
		out_repeat(o, ' ', pad);
	if (sign)
		out_char(o, sign);
	out_mem(o, prefix, prefix[0] ? 2 : 0);
	out_repeat(o, '0', zeros);
	while (ndigits)
		out_char(o, tmp[--ndigits]);
	if (sp->flags & FL_LEFT)
		out_repeat(o, ' ', pad);
}

static void out_string(struct out *o, const char *s, const struct spec *sp)
{
	size_t max = sp->precision >= 0 ? (size_t)sp->precision : (size_t)-1;

	if (!s)
		s = "(null)";
	out_field(o, s, strnlen(s, max), sp);
}

/* %p, %pS, %ps, %pB: @kind is 0, 'S', 's' or 'B'. The field width applies to the whole. */
static void out_pointer(struct out *o, const void *ptr, char kind, const struct spec *sp)
{
	unsigned long addr = (unsigned long)ptr, off = 0, size = 0;
	char tmp[256], mod[KSYM_MODULE_NAME_LEN] = "", namebuf[KSYM_NAME_LEN];
	const char *name = NULL;
	int n;

	if (kind == 'B') { /* a return address: look up the call, report the return */
		name = addr ? symbols_lookup_mod(addr - 1, &off, &size, mod, namebuf) : NULL;
		if (name)
			off++;
	} else if (kind) {
		name = symbols_lookup_mod(addr, &off, &size, mod, namebuf);
	}
	if (!name)
		n = snprintf(tmp, sizeof(tmp), "0x%016lx", addr);
	else if ((kind == 'S' || kind == 'B') && mod[0]) /* in a module: name it, as Linux does */
		n = snprintf(tmp, sizeof(tmp), "%s+0x%lx/0x%lx [%s]", name, off, size, mod);
	else if (kind == 'S' || kind == 'B')
		n = snprintf(tmp, sizeof(tmp), "%s+0x%lx/0x%lx", name, off, size);
	else
		n = snprintf(tmp, sizeof(tmp), "%s", name);
	if (n >= (int)sizeof(tmp))
		n = sizeof(tmp) - 1;
	out_field(o, tmp, n, sp);
}

/* Parse a decimal run at *@fmt (a width or precision), saturating at 1e6. */
static int parse_int(const char **fmt)
{
	int n = 0;

	while (**fmt >= '0' && **fmt <= '9') {
		if (n < 1000000)
			n = n * 10 + (**fmt - '0');
		(*fmt)++;
	}
	return n;
}

static const char *parse_flags(const char *fmt, struct spec *sp)
{
	for (;; fmt++) {
		switch (*fmt) {
		case '-':
			sp->flags |= FL_LEFT;
			break;
		case '0':
			sp->flags |= FL_ZERO;
			break;
		case '+':
			sp->flags |= FL_PLUS;
			break;
		case ' ':
			sp->flags |= FL_SPACE;
			break;
		case '#':
			sp->flags |= FL_ALT;
			break;
		default:
			return fmt;
		}
	}
}

static const char *parse_length(const char *fmt, struct spec *sp)
{
	switch (*fmt) {
	case 'h':
		sp->len = fmt[1] == 'h' ? LEN_HH : LEN_H;
		return fmt + (sp->len == LEN_HH ? 2 : 1);
	case 'l':
		sp->len = fmt[1] == 'l' ? LEN_LL : LEN_L;
		return fmt + (sp->len == LEN_LL ? 2 : 1);
	case 'z':
		sp->len = LEN_Z;
		return fmt + 1;
	case 't':
		sp->len = LEN_T;
		return fmt + 1;
	case 'j':
		sp->len = LEN_J;
		return fmt + 1;
	}
	sp->len = LEN_NONE;
	return fmt;
}

static long long fetch_signed(enum length_mod len, va_list *ap)
{
	switch (len) {
	case LEN_HH:
		return (signed char)va_arg(*ap, int);
	case LEN_H:
		return (short)va_arg(*ap, int);
	case LEN_L:
		return va_arg(*ap, long);
	case LEN_LL:
		return va_arg(*ap, long long);
	case LEN_Z:
		return va_arg(*ap, long); /* the signed type of size_t */
	case LEN_T:
		return va_arg(*ap, ptrdiff_t);
	case LEN_J:
		return va_arg(*ap, intmax_t);
	default:
		return va_arg(*ap, int);
	}
}

static unsigned long long fetch_unsigned(enum length_mod len, va_list *ap)
{
	switch (len) {
	case LEN_HH:
		return (unsigned char)va_arg(*ap, unsigned int);
	case LEN_H:
		return (unsigned short)va_arg(*ap, unsigned int);
	case LEN_L:
		return va_arg(*ap, unsigned long);
	case LEN_LL:
		return va_arg(*ap, unsigned long long);
	case LEN_Z:
		return va_arg(*ap, size_t);
	case LEN_T:
		return (unsigned long long)va_arg(*ap, ptrdiff_t);
	case LEN_J:
		return va_arg(*ap, uintmax_t);
	default:
		return va_arg(*ap, unsigned int);
	}
}

/*
 * Format one conversion whose '%' is at @start and whose flags begin at
 * @fmt; return the position after it.
 */
static const char *format_one(struct out *o, const char *start, const char *fmt, va_list *ap)
{
	struct spec sp = { .precision = -1, .base = 10 };
	long long sval;
	char kind;

	fmt = parse_flags(fmt, &sp);
	if (*fmt == '*') {
		sp.width = va_arg(*ap, int);
		if (sp.width < 0) {
			sp.flags |= FL_LEFT;
			sp.width = sp.width == -__INT_MAX__ - 1 ? __INT_MAX__ : -sp.width;
		}
		fmt++;
	} else {
		sp.width = parse_int(&fmt);
	}
	if (*fmt == '.') {
		fmt++;
		if (*fmt == '*') {
			sp.precision = va_arg(*ap, int);
			if (sp.precision < 0)
				sp.precision = -1;
			fmt++;
		} else {
			sp.precision = parse_int(&fmt);
		}
	}
	fmt = parse_length(fmt, &sp);

	switch (*fmt) {
	case 'd':
	case 'i':
		sp.flags |= FL_SIGNED;
		sval = fetch_signed(sp.len, ap);
		out_number(o, sval < 0 ? 0ULL - (unsigned long long)sval : (unsigned long long)sval,
			   sval < 0, &sp);
		break;
	case 'X':
		sp.flags |= FL_UPPER;
		/* fall through */
	case 'x':
		sp.base = 16;
		out_number(o, fetch_unsigned(sp.len, ap), false, &sp);
		break;
	case 'o':
		sp.base = 8;
		/* fall through */
	case 'u':
		out_number(o, fetch_unsigned(sp.len, ap), false, &sp);
		break;
	case 'c': {
		char c = (char)va_arg(*ap, int);

		out_field(o, &c, 1, &sp);
		break;
	}
	case 's':
		out_string(o, va_arg(*ap, const char *), &sp);
		break;
	case 'p':
		kind = fmt[1] == 'S' || fmt[1] == 's' || fmt[1] == 'B' ? *++fmt : 0;
		out_pointer(o, va_arg(*ap, const void *), kind, &sp);
		break;
	case '%':
		out_char(o, '%');
		break;
	case '\0':
		/* A lone '%' at the end: print what there is and stop. */
		out_mem(o, start, fmt - start);
		return fmt;
	default:
		out_mem(o, start, fmt + 1 - start);
		break;
	}
	return fmt + 1;
}

/*
 * vsnprintf - format @fmt and @args into @buf.
 *  => stores at most @size-1 characters and a NUL when @size > 0; @buf may
 *     be NULL when @size is 0.
 *  => returns the length the whole output would have (C99), so a return
 *     value >= @size means it was truncated.
 *  => safe in any context: no locks, no allocation; %pS calls
 *     symbols_lookup(), which must be too.
 */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list args)
{
	struct out o = { .buf = buf, .size = size };
	va_list ap;

	va_copy(ap, args);
	while (*fmt) {
		if (*fmt != '%') {
			out_char(&o, *fmt++);
			continue;
		}
		fmt = format_one(&o, fmt, fmt + 1, &ap);
	}
	va_end(ap);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

/* snprintf - vsnprintf with the arguments inline; same contract. */
int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list args;
	int n;

	va_start(args, fmt);
	n = vsnprintf(buf, size, fmt, args);
	va_end(args);
	return n;
}

/*
 * vscnprintf - like vsnprintf, but return what was stored.
 *  => returns the number of characters written to @buf, not counting the
 *     NUL: 0 when @size is 0, at most @size-1.
 */
int vscnprintf(char *buf, size_t size, const char *fmt, va_list args)
{
	int n = vsnprintf(buf, size, fmt, args);

	if (size == 0)
		return 0;
	return (size_t)n < size ? n : (int)(size - 1);
}

/* scnprintf - vscnprintf with the arguments inline; same contract. */
int scnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list args;
	int n;

	va_start(args, fmt);
	n = vscnprintf(buf, size, fmt, args);
	va_end(args);
	return n;
}
