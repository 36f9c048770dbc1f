/*
 * Kernel symbol table (kallsyms): address -> "name+0xoff/0xsize", from a table
 * generated at link time (scripts/gen-symbols.sh) and linked into the image;
 * addresses in the module area are named by the loaded module's symbols.
 */
#ifndef KERNEL_SYMBOLS_H
#define KERNEL_SYMBOLS_H

#include "kernel/types.h"

/* Find the symbol containing @addr. Returns its name (or NULL) and sets
 * *@offset and *@size. */
const char *symbols_lookup(unsigned long addr, unsigned long *offset, unsigned long *size);
/* The same, for kernel and module addresses alike: *@modname is set to the
 * module's name for an address inside a loaded module, to NULL for the
 * kernel's own (any output pointer may be NULL). Safe in a fault path. */
const char *symbols_lookup_mod(unsigned long addr, unsigned long *offset, unsigned long *size,
			       const char **modname);
/* Address of the symbol called @name, or 0. */
unsigned long symbols_lookup_name(const char *name);

#endif /* KERNEL_SYMBOLS_H */
