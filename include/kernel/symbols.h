/*
 * Kernel symbol table (kallsyms): address -> "name+0xoff/0xsize", from a table
 * generated at link time (scripts/gen-symbols.sh) and linked into the image;
 * addresses in the module area are named by the loaded module's symbols.
 */
#ifndef KERNEL_SYMBOLS_H
#define KERNEL_SYMBOLS_H

#include "kernel/types.h"

/* The longest symbol name a lookup copies (longer ones are cut), and the
 * size of a module name buffer (MODULE_NAME_LEN, kernel/module.h). */
#define KSYM_NAME_LEN	     128
#define KSYM_MODULE_NAME_LEN 56

/* Find the kernel's own symbol containing @addr (a module's names can go
 * at any time: use symbols_lookup_mod()). Returns its name (or NULL) and
 * sets *@offset and *@size. */
const char *symbols_lookup(unsigned long addr, unsigned long *offset, unsigned long *size);
/* The same, for kernel and module addresses alike. A module symbol's name
 * is copied into @namebuf (KSYM_NAME_LEN bytes) and its module's into
 * @modname (KSYM_MODULE_NAME_LEN bytes, may be NULL), which is "" for the
 * kernel's own; @offset and @size may be NULL. Safe in a fault path, and
 * the names stay valid when the module is unloaded right after. */
const char *symbols_lookup_mod(unsigned long addr, unsigned long *offset, unsigned long *size,
			       char *modname, char *namebuf);
/* Address of the symbol called @name, or 0. */
unsigned long symbols_lookup_name(const char *name);

#endif /* KERNEL_SYMBOLS_H */
