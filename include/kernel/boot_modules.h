/*
 * The module images GRUB loaded (multiboot2 module tags, `module2 FILE
 * NAME` in grub.cfg): kept where GRUB put them (memblock reserved them) and
 * found by their command-line name, for `insmod NAME` and for modules=LIST
 * on the kernel command line, which loads them at boot.
 */
#ifndef KERNEL_BOOT_MODULES_H
#define KERNEL_BOOT_MODULES_H

#include "kernel/multiboot2.h"
#include "kernel/types.h"

/* The GRUB module called @name (its command line), or NULL. */
const struct boot_module *boot_module_find(const char *name);

/* The GRUB module whose image starts at physical address @phys, or NULL. */
const struct boot_module *boot_module_at(phys_addr_t phys);

/* GRUB module number @i (0 .. boot_info.nr_modules - 1), or NULL. */
const struct boot_module *boot_module_get(unsigned int i);

/*
 * boot_module_load - load_module() on a GRUB module's image
 * => the image is read in place through the direct map; it stays there
 *    (a module unloaded may be loaded again).
 * => the loader prints what it did or why it refused; nothing more here.
 * Return: load_module()'s result.
 */
int boot_module_load(const struct boot_module *bm);

/*
 * boot_modules_load - modules=LIST: load the GRUB modules LIST names
 * => @list: "all", or comma-separated names or globs (lib/match.h), in
 *    GRUB's order; "" loads none. A name matching no GRUB module is
 *    reported; so is a module that fails (with its error), and the others
 *    still load.
 * Return: the number that failed (or matched nothing).
 */
int boot_modules_load(const char *list);

#endif /* KERNEL_BOOT_MODULES_H */
