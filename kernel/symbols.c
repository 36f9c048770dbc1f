/*
 * Address -> symbol, from the table scripts/gen-symbols.sh generates at link
 * time (text symbols sorted by address, with sizes). Binary search. An
 * address in the module area is asked of the module loader instead
 * (module_address_lookup()), which names the module too.
 */
#include "kernel/module.h"
#include "kernel/symbols.h"
#include "lib/string.h"
#include "mm/memlayout.h"

extern const unsigned long kallsyms_num;
extern const unsigned long kallsyms_addresses[];
extern const unsigned int kallsyms_sizes[];
extern const unsigned int kallsyms_name_offsets[];
extern const char kallsyms_names[];

static const char *kallsyms_lookup(unsigned long addr, unsigned long *offset, unsigned long *size)
{
	unsigned long lo = 0, hi = kallsyms_num;

	/* Find the last symbol whose address is <= addr. */
	while (lo < hi) {
		unsigned long mid = lo + (hi - lo) / 2;

		if (kallsyms_addresses[mid] <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	lo--;
	/* Among aliases at one address prefer the one whose size covers addr. */
	while (lo > 0 && kallsyms_addresses[lo - 1] == kallsyms_addresses[lo] &&
	       addr - kallsyms_addresses[lo] >= kallsyms_sizes[lo])
		lo--;
	if (addr - kallsyms_addresses[lo] >= kallsyms_sizes[lo] && kallsyms_sizes[lo])
		return NULL;
	if (offset)
		*offset = addr - kallsyms_addresses[lo];
	if (size)
		*size = kallsyms_sizes[lo];
	return &kallsyms_names[kallsyms_name_offsets[lo]];
}

_Static_assert(KSYM_MODULE_NAME_LEN == MODULE_NAME_LEN, "KSYM_MODULE_NAME_LEN");

const char *symbols_lookup_mod(unsigned long addr, unsigned long *offset, unsigned long *size,
			       char *modname, char *namebuf)
{
	unsigned long off = 0, sz = 0;
	const char *name;

	if (modname)
		modname[0] = '\0';
	if (addr >= MODULES_VADDR && addr < MODULES_END)
		name = module_address_lookup(addr, &sz, &off, modname, namebuf);
	else
		name = kallsyms_lookup(addr, &off, &sz);
	if (!name)
		return NULL;
	if (offset)
		*offset = off;
	if (size)
		*size = sz;
	return name;
}

const char *symbols_lookup(unsigned long addr, unsigned long *offset, unsigned long *size)
{
	if (addr >= MODULES_VADDR && addr < MODULES_END)
		return NULL;
	return kallsyms_lookup(addr, offset, size);
}

unsigned long symbols_lookup_name(const char *name)
{
	for (unsigned long i = 0; i < kallsyms_num; i++)
		if (!strcmp(&kallsyms_names[kallsyms_name_offsets[i]], name))
			return kallsyms_addresses[i];
	return 0;
}
