/*
 * Loadable modules: x86-64 ELF relocatable objects (ET_REL, built with
 * -mcmodel=kernel -fno-pic -fno-common) placed in the module area
 * MODULES_VADDR..MODULES_END, so that their 32-bit PC-relative relocations
 * reach the kernel image at -2 GiB.
 *
 * In a module's source:
 *
 *	#include "kernel/module.h"
 *	static int hello_init(void) { ...; return 0; }
 *	static void hello_exit(void) { ... }
 *	MODULE_INIT(hello_init);
 *	MODULE_EXIT(hello_exit);
 *	MODULE_NAME("hello");
 *	EXPORT_SYMBOL(hello_counter);	(optional: other modules may use it)
 *
 * MODULE_NAME() writes "name=hello" and "vermagic=<CONTIG_VERMAGIC>" into
 * the object's .modinfo section; the loader refuses an object without a
 * name, without MODULE_INIT, or whose vermagic differs from the kernel's.
 * MODULE_INIT/MODULE_EXIT name the functions through the aliases
 * init_module and cleanup_module (the loader looks those symbols up).
 *
 * The kernel's exports live in kernel/module/exports.c; a module's own
 * EXPORT_SYMBOLs are visible to modules loaded after it, and using one pins
 * the exporting module (delete_module() returns -EBUSY) until the user is
 * unloaded.
 *
 * Each loaded module occupies up to four regions, each its own vmalloc area
 * in the module area (see /proc/vmallocinfo's caller column):
 *   text   (SHF_EXECINSTR)                 read-only, executable
 *   rodata (SHF_ALLOC, not WRITE, not EXEC) read-only, NX
 *   data   (SHF_WRITE, PROGBITS)            read-write, NX
 *   bss    (SHT_NOBITS)                     read-write, NX, zeroed
 */
#ifndef KERNEL_MODULE_H
#define KERNEL_MODULE_H

#include "kernel/types.h"
#include "lib/list.h"

#define MODULE_NAME_LEN 56

#define __MODULE_STR(x) #x

/* The version string every module must carry to be loaded: the release of
 * this interface and the kernel's configuration (struct layouts and calling
 * conventions follow them). Bump CONTIG_MODULE_RELEASE whenever an exported
 * function or structure changes. */
#define CONTIG_MODULE_RELEASE "17.0"
#define CONTIG_VERMAGIC	      "contig-" CONTIG_MODULE_RELEASE " SMP preempt mod_unload mcmodel=kernel"

/* One exported symbol: {address, name}, in the __ksymtab section (the
 * kernel's between __start___ksymtab and __stop___ksymtab). */
struct kernel_symbol {
	unsigned long value;
	const char *name;
};

#define EXPORT_SYMBOL(sym)                                                                    \
	static const char __kstrtab_##sym[]                                                   \
		__attribute__((__section__("__ksymtab_strings"), __used__, __aligned__(1))) = \
			#sym;                                                                 \
	static const struct kernel_symbol __ksymtab_##sym                                     \
		__attribute__((__section__("__ksymtab"), __used__,                            \
			       __aligned__(8))) = { (unsigned long)&sym, __kstrtab_##sym }

#define __MODINFO(tag, line, str)                                                    \
	static const char __modinfo_##tag##_##line[]                                 \
		__attribute__((__section__(".modinfo"), __used__, __aligned__(1))) = \
			__MODULE_STR(tag) "=" str
#define __MODINFO_LINE(tag, line, str) __MODINFO(tag, line, str)

/* Name the module (at most MODULE_NAME_LEN - 1 characters) and record the
 * vermagic it was built for. Exactly once per module. */
#define MODULE_NAME(str)                     \
	__MODINFO_LINE(name, __LINE__, str); \
	__MODINFO_LINE(vermagic, __LINE__, CONTIG_VERMAGIC)

/* The function run once the module is in place: int fn(void), 0 or -errno
 * (a failure unloads it again). Required. */
#define MODULE_INIT(fn)                                    \
	static inline int (*__module_inittest(void))(void) \
	{                                                  \
		return fn;                                 \
	}                                                  \
	int init_module(void) __attribute__((__alias__(#fn)))

/* The function run by delete_module() before the module goes: void fn(void).
 * Without one the module cannot be unloaded (delete_module() says -EBUSY). */
#define MODULE_EXIT(fn)                                     \
	static inline void (*__module_exittest(void))(void) \
	{                                                   \
		return fn;                                  \
	}                                                   \
	void cleanup_module(void) __attribute__((__alias__(#fn)))

enum module_state {
	MODULE_STATE_COMING, /* laid out, init running */
	MODULE_STATE_LIVE,   /* init returned 0 */
	MODULE_STATE_GOING,  /* delete_module() running exit */
};

/* The four regions of a module, in the order they are laid out. */
enum module_region_type {
	MOD_TEXT,
	MOD_RODATA,
	MOD_DATA,
	MOD_BSS,
	MOD_REGION_NUM,
};

struct module_region {
	unsigned long base; /* vmalloc address, 0 if the region is empty */
	unsigned long size; /* bytes used (the area is this rounded up to pages) */
};

/* Where one SHF_ALLOC section of the object was placed: what GDB's
 * `add-symbol-file FILE -s NAME ADDR ...` needs, section by section. */
struct module_section {
	const char *name; /* ".text", ".rodata.str1.1", ... */
	unsigned long addr;
	unsigned long size;
};

/* A FUNC or OBJECT symbol defined by the module, at its final address. The
 * names lie in struct module.strings in symbol table order. */
struct module_symbol {
	unsigned long addr;
	unsigned long size;
	const char *name;
};

/*
 * A loaded module. Lock legend:
 *   [M] module_lock (kernel/module/main.c)
 *   [I] set before the module goes on the list (COMING), then immutable
 *       (the contents of @exports are relocated later, before they are
 *       published)
 */
struct module {
	char name[MODULE_NAME_LEN];		     /* [I] */
	enum module_state state;		     /* [M] */
	struct list_head list;			     /* [M] on `modules` */
	struct module_region region[MOD_REGION_NUM]; /* [I] */
	unsigned long size;			     /* [I] bytes of all four areas */
	int refcount;				     /* [M] try_module_get() holds */
	struct list_head uses;			     /* [M] modules whose symbols we use */
	struct list_head users;			     /* [M] modules using our symbols */
	unsigned int nr_users;			     /* [M] entries on @users */

	int (*init)(void);  /* [I] */
	void (*exit)(void); /* [I] NULL without MODULE_EXIT */

	const struct kernel_symbol *exports; /* [I] the module's __ksymtab */
	unsigned int nr_exports;	     /* [I] */
	bool exports_published;		     /* [M] its export names are taken */

	struct module_section *sections; /* [I] kmalloc'd, names in @strings */
	unsigned int nr_sections;	 /* [I] */
	struct module_symbol *symbols;	 /* [I] kmalloc'd, by address, then table order */
	unsigned int nr_symbols;	 /* [I] */
	char *strings;			 /* [I] kmalloc'd copy of the names */
};

/* Every loaded module, most recent first: lsmod, GDB's contig-lsmod. */
extern struct list_head modules;

/* The kernel's own vermagic (CONTIG_VERMAGIC as the kernel was built). */
extern const char vermagic[];

/*
 * load_module - validate, place, link and start a module image.
 * @image, @len: the ELF object (read only; may be anywhere, e.g. a GRUB module)
 * @out: set to the module when it is live (may be NULL)
 * => may sleep; not from interrupt context.
 * => checks every header, section, symbol and relocation against @len first;
 *    a bad image is refused with a message "module: <what>: <values>".
 * => returns 0 (module LIVE, on `modules`), -ENOEXEC (bad or unsupported
 *    object, vermagic mismatch, an export whose name the kernel or another
 *    loading or loaded module exports, W+X found after loading), -ENOENT (a symbol
 *    not exported by the kernel or a live module), -EEXIST (a module of that
 *    name is loaded), -ENOMEM, or init's error. On any failure nothing is
 *    left behind: pages, vmalloc ranges, PTEs and kmalloc memory all go back.
 */
int load_module(const void *image, unsigned long len, struct module **out);

/*
 * delete_module - run a module's exit function and free it.
 * => may sleep; not from interrupt context.
 * => returns -ENOENT (no such module), -EBUSY (still COMING/GOING, without
 *    an exit function, used by another module, or refcount > 0), else 0
 *    after exit ran, permissions
 *    were reset (VM_FLUSH_RESET_PERMS: no executable alias survives) and
 *    every area went back to vmalloc.
 */
int delete_module(const char *name);

/* The module called @name in any state, or NULL. The pointer is only safe
 * while the caller holds a reference (try_module_get()) or knows it cannot
 * be unloaded. */
struct module *find_module(const char *name);

/* Pin/unpin a LIVE module against delete_module(). try_module_get() fails
 * (returns false) for a module that is not LIVE. */
bool try_module_get(struct module *mod);
void module_put(struct module *mod);

/* The module whose areas contain @addr, or NULL (same lifetime rule as
 * find_module()). */
struct module *module_of_address(unsigned long addr);

/* Print one line per module in /proc/modules' format:
 *   "name size refcount users, state address"
 * e.g. "vmstress 16384 0 - Live 0xffffffffa0001000" and
 *      "hpet 8192 1 hpetuse, Live 0xffffffffa0010000". */
void lsmod_dump(void);

/*
 * module_address_lookup - name the module symbol containing @addr.
 * @namebuf: KSYM_NAME_LEN bytes (kernel/symbols.h) for the symbol's name
 * @modname: MODULE_NAME_LEN bytes for the module's name, or NULL
 * => returns @namebuf holding the nearest FUNC/OBJECT symbol at or below
 *    @addr in the same region of the module whose areas contain @addr
 *    (among aliases the first in the object's symbol table, never
 *    init_module/cleanup_module when the function has a name of its own),
 *    and sets *@size, *@offset (addr - symbol) and @modname; returns NULL
 *    (outputs untouched) when @addr is in no module or below the first
 *    symbol of its region. @size and @offset may be NULL.
 * => the names are copied under module_lock: they stay valid when the
 *    module goes right after.
 * => no locks taken beyond module_lock; safe from a fault or panic path
 *    (it does not sleep, and gives up if module_lock is held on this CPU).
 */
const char *module_address_lookup(unsigned long addr, unsigned long *size, unsigned long *offset,
				  char *modname, char *namebuf);

#endif /* KERNEL_MODULE_H */
