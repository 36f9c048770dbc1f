/*
 * Names of allocation flags for failure reports (Linux's %pGg): a mode
 * printed as "mode:0x5(GFP_KERNEL|__GFP_ZERO|__GFP_NOWARN)" says what the
 * caller asked for without a look at include/mm/gfp.h.
 */
#include "mm/gfp.h"

#include "kernel/compiler.h"
#include "lib/vsprintf.h"

static const struct {
	gfp_t flag;
	const char *name;
} gfp_names[] = {
	{ __GFP_ZERO, "__GFP_ZERO" },
	{ __GFP_DMA32, "__GFP_DMA32" },
	{ __GFP_NOWARN, "__GFP_NOWARN" },
	{ __GFP_NOFAULT, "__GFP_NOFAULT" },
};

/* The tail of @buf from @len on (empty once @len reaches @size). */
static char *gfp_tail(char *buf, size_t size, int len, size_t *left)
{
	size_t at = min((size_t)len, size);

	*left = size - at;
	return buf + at;
}

int gfp_flags_snprint(char *buf, size_t size, gfp_t gfp)
{
	gfp_t rest = gfp & ~__GFP_ATOMIC;
	int len = snprintf(buf, size, "%s", gfp & __GFP_ATOMIC ? "GFP_ATOMIC" : "GFP_KERNEL");
	size_t left;
	char *tail;

	for (size_t i = 0; i < ARRAY_SIZE(gfp_names); i++) {
		if (!(rest & gfp_names[i].flag))
			continue;
		rest &= ~gfp_names[i].flag;
		tail = gfp_tail(buf, size, len, &left);
		len += snprintf(tail, left, "|%s", gfp_names[i].name);
	}
	if (rest) {
		tail = gfp_tail(buf, size, len, &left);
		len += snprintf(tail, left, "|%#x", rest);
	}
	return len;
}
