/*
 * Loading and unloading modules: the half of the loader that allocates,
 * maps, protects and keeps the list (kernel/module/elf.c does the checks and
 * the relocations on plain memory).
 *
 * load_module(), step by step, each undone in reverse on failure:
 *
 *	elf_check()			nothing allocated yet
 *	struct module			kzalloc
 *	layout, four regions		__vmalloc_node_range() in the module area,
 *					VM_FLUSH_RESET_PERMS, zeroed; sections copied
 *	symbols and sections kept	kmalloc, sorted by address: lookups, GDB
 *	symbols resolved		kernel exports, then LIVE modules' (each use
 *					recorded: the used module is pinned)
 *	on `modules`, COMING		the name is taken (-EEXIST after this);
 *					init, exit and exports set before
 *	relocated, exports published	no name exported twice (-ENOEXEC)
 *	text RO+X, rodata RO		set_memory_rox/ro (data and bss stay NX)
 *	W+X check			ptdump_count_wx() over every mapping
 *	init()				then LIVE
 *
 * delete_module() refuses a module that is not LIVE, has no exit function,
 * has users or holds references; otherwise GOING, exit(), off the list,
 * uses dropped, areas vfree()d: VM_FLUSH_RESET_PERMS unmaps and flushes
 * them at once, so no translation of the old text survives.
 *
 * Locking: module_lock guards the list, the states, the refcounts and the
 * use lists; it is never held across init/exit, an allocation of a region,
 * or a message. Only a LIVE module's exports are used, so a COMING or
 * GOING module is never used; but its exported names are taken from the
 * moment they are published (checked against the kernel and every other
 * published module in the same lock hold), so two loads racing can never
 * both export one name.
 */
#include "kernel/module.h"

#include "asm/page.h"
#include "asm/pgtable.h"
#include "asm/ptdump.h"
#include "asm/set_memory.h"
#include "kernel/errno.h"
#include "kernel/module/internal.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/spinlock.h"
#include "kernel/symbols.h"
#include "lib/sort.h"
#include "lib/string.h"
#include "lib/vsprintf.h"
#include "mm/memlayout.h"
#include "mm/slab.h"
#include "mm/vmalloc.h"

#define NUMA_NO_NODE (-1)

/* [M] */
static DEFINE_SPINLOCK(module_lock);
LIST_HEAD(modules); /* [M] */

const char vermagic[] = CONTIG_VERMAGIC;

extern const struct kernel_symbol __start___ksymtab[], __stop___ksymtab[];

/* One "source uses target's symbols" edge, on both modules' lists. [M] */
struct module_use {
	struct list_head source_list; /* on source->uses */
	struct list_head target_list; /* on target->users */
	struct module *source, *target;
};

static const char *const module_state_names[] = {
	[MODULE_STATE_COMING] = "Loading",
	[MODULE_STATE_LIVE] = "Live",
	[MODULE_STATE_GOING] = "Unloading",
};

/* ---- lookups under module_lock ---- */

static struct module *find_module_locked(const char *name)
{
	struct module *mod;

	assert_held(&module_lock);
	list_for_each_entry(mod, &modules, list)
		if (!strcmp(mod->name, name))
			return mod;
	return NULL;
}

struct module *find_module(const char *name)
{
	struct module *mod;

	spin_lock(&module_lock);
	mod = find_module_locked(name);
	spin_unlock(&module_lock);
	return mod;
}

static bool module_contains(const struct module *mod, unsigned long addr)
{
	for (unsigned int r = 0; r < MOD_REGION_NUM; r++)
		if (mod->region[r].size && addr - mod->region[r].base < mod->region[r].size)
			return true;
	return false;
}

static struct module *module_of_address_locked(unsigned long addr)
{
	struct module *mod;

	list_for_each_entry(mod, &modules, list)
		if (module_contains(mod, addr))
			return mod;
	return NULL;
}

/*
 * Take module_lock for a lookup that may run on a fault or panic path:
 * give up rather than wait forever (this CPU holds it, or its holder
 * stopped).
 */
static bool module_lock_try(void)
{
	if (spin_held_by_this_cpu(&module_lock))
		return false;
	for (unsigned int i = 0; i < 100000; i++) {
		if (spin_trylock(&module_lock))
			return true;
		cpu_relax();
	}
	return false;
}

struct module *module_of_address(unsigned long addr)
{
	struct module *mod;

	if (addr < MODULES_VADDR || addr >= MODULES_END || !module_lock_try())
		return NULL;
	mod = module_of_address_locked(addr);
	spin_unlock(&module_lock);
	return mod;
}

/* The export @name among @n entries at @syms, or NULL. */
static const struct kernel_symbol *ksym_find(const struct kernel_symbol *syms, unsigned int n,
					     const char *name)
{
	for (unsigned int i = 0; i < n; i++)
		if (!strcmp(syms[i].name, name))
			return &syms[i];
	return NULL;
}

static const struct kernel_symbol *kernel_export(const char *name)
{
	return ksym_find(__start___ksymtab, __stop___ksymtab - __start___ksymtab, name);
}

/* A LIVE module other than @self exporting @name, and the export: what a load may use. */
static struct module *module_export_locked(const char *name, const struct module *self,
					   const struct kernel_symbol **ksym)
{
	struct module *mod;

	list_for_each_entry(mod, &modules, list) {
		if (mod == self || mod->state != MODULE_STATE_LIVE)
			continue;
		*ksym = ksym_find(mod->exports, mod->nr_exports, name);
		if (*ksym)
			return mod;
	}
	return NULL;
}

/* ---- uses: who pins whom ---- */

static bool module_uses_locked(const struct module *source, const struct module *target)
{
	struct module_use *use;

	list_for_each_entry(use, &source->uses, source_list)
		if (use->target == target)
			return true;
	return false;
}

static int module_add_use_locked(struct module *source, struct module *target)
{
	struct module_use *use;

	if (module_uses_locked(source, target))
		return 0;
	use = kmalloc(sizeof(*use), GFP_ATOMIC);
	if (!use)
		return -ENOMEM;
	use->source = source;
	use->target = target;
	list_add_tail(&use->source_list, &source->uses);
	list_add_tail(&use->target_list, &target->users);
	target->nr_users++;
	return 0;
}

static void module_drop_uses(struct module *mod)
{
	struct module_use *use, *next;

	spin_lock(&module_lock);
	list_for_each_entry_safe(use, next, &mod->uses, source_list) {
		list_del(&use->source_list);
		list_del(&use->target_list);
		use->target->nr_users--;
		kfree(use);
	}
	spin_unlock(&module_lock);
}

/* What elf_resolve() asks for each undefined symbol of the module loading. */
struct module_resolve {
	struct module *mod;
	int err;
};

static unsigned long module_resolve_symbol(const char *name, void *ctx)
{
	struct module_resolve *res = ctx;
	const struct kernel_symbol *ksym = kernel_export(name);
	struct module *owner;
	unsigned long value = 0;

	if (ksym)
		return ksym->value;
	spin_lock(&module_lock);
	owner = module_export_locked(name, res->mod, &ksym);
	if (owner) {
		value = ksym->value;
		if (module_add_use_locked(res->mod, owner))
			res->err = -ENOMEM;
	}
	spin_unlock(&module_lock);
	return value;
}

/* ---- regions ---- */

static __noinline void *module_region_alloc(unsigned long size)
{
	return __vmalloc_node_range(size, PAGE_SIZE, MODULES_VADDR, MODULES_END,
				    GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN, PAGE_KERNEL,
				    VM_FLUSH_RESET_PERMS, NUMA_NO_NODE,
				    __builtin_return_address(0));
}

static void module_free_regions(struct module *mod)
{
	for (unsigned int r = 0; r < MOD_REGION_NUM; r++) {
		if (mod->region[r].base)
			vfree((void *)mod->region[r].base);
		mod->region[r].base = 0;
	}
}

static int module_alloc_regions(struct module *mod, struct elf_layout *lo)
{
	for (unsigned int r = 0; r < MOD_REGION_NUM; r++) {
		void *p;

		mod->region[r].size = lo->region[r].size;
		if (!lo->region[r].size)
			continue;
		p = module_region_alloc(lo->region[r].size);
		if (!p) {
			pr_err("module %s: no memory for a region of %lu bytes\n", mod->name,
			       lo->region[r].size);
			module_free_regions(mod);
			return -ENOMEM;
		}
		mod->region[r].base = (unsigned long)p;
		mod->size += PAGE_ALIGN(lo->region[r].size);
		lo->region[r].addr = (unsigned long)p;
		lo->region[r].mem = p;
	}
	return 0;
}

static int module_protect(struct module *mod)
{
	const struct module_region *text = &mod->region[MOD_TEXT], *ro = &mod->region[MOD_RODATA];
	int err = 0;

	if (text->size)
		err = set_memory_rox(text->base, PAGE_ALIGN(text->size) >> PAGE_SHIFT);
	if (!err && ro->size)
		err = set_memory_ro(ro->base, PAGE_ALIGN(ro->size) >> PAGE_SHIFT);
	if (err)
		pr_err("module %s: setting the permissions of its regions failed (%d)\n", mod->name,
		       err);
	return err;
}

/*
 * Linux's DEBUG_WX after a load: no page anywhere may be writable and
 * executable, and no executable page may have a writable direct-map alias
 * (set_memory_rox() made the text's aliases read-only).
 */
static int module_check_wx(const struct module *mod)
{
	struct ptdump_wx wx;

	ptdump_count_wx(&wx, false);
	if (!wx.wx_pages && !wx.alias_pages)
		return 0;
	ptdump_count_wx(&wx, true);
	pr_err("module %s: W+X check found %lu writable and executable pages (the lowest at %#lx) "
	       "and %lu writable aliases of executable pages (the lowest at %#lx); refusing\n",
	       mod->name, wx.wx_pages, wx.first_wx, wx.alias_pages, wx.first_alias);
	return -ENOEXEC;
}

/* ---- what a module keeps: sections, symbols, exports ---- */

static bool module_sym_kept(const struct load_info *info, const struct elf_layout *lo,
			    unsigned int i)
{
	const Elf64_Sym *sym = &info->syms[i];
	unsigned int type = ELF64_ST_TYPE(sym->st_info);

	return (type == STT_FUNC || type == STT_OBJECT) && sym->st_name &&
	       sym->st_shndx != SHN_UNDEF && sym->st_shndx < info->shnum &&
	       lo->sec[sym->st_shndx].region != MOD_REGION_NUM;
}

/* Count the kept sections and symbols, and the bytes their names need. */
static unsigned long module_count_kept(struct module *mod, const struct load_info *info,
				       const struct elf_layout *lo)
{
	unsigned long bytes = 0;

	for (unsigned int i = 1; i < info->shnum; i++) {
		if (lo->sec[i].region == MOD_REGION_NUM)
			continue;
		mod->nr_sections++;
		bytes += strlen(elf_sec_name(info, i)) + 1;
	}
	for (unsigned int i = 1; i < info->nsyms; i++) {
		if (!module_sym_kept(info, lo, i))
			continue;
		mod->nr_symbols++;
		bytes += strlen(elf_sym_name(info, i)) + 1;
	}
	return bytes;
}

static char *module_copy_name(char **strings, const char *name)
{
	char *copy = *strings;
	size_t len = strlen(name) + 1;

	memcpy(copy, name, len);
	*strings += len;
	return copy;
}

/*
 * By address, then in symbol table order: the names were copied into
 * mod->strings in that order, so their addresses break the tie (sort() is
 * not stable, and lookups want the first alias: the function's own name
 * comes before the global init_module that MODULE_INIT() adds).
 */
static int module_symbol_cmp(const void *a, const void *b)
{
	const struct module_symbol *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->name < y->name ? -1 : x->name > y->name;
}

static void module_fill_kept(struct module *mod, const struct load_info *info,
			     const struct elf_layout *lo)
{
	char *strings = mod->strings;
	unsigned int n = 0;

	for (unsigned int i = 1; i < info->shnum; i++) {
		if (lo->sec[i].region == MOD_REGION_NUM)
			continue;
		mod->sections[n].name = module_copy_name(&strings, elf_sec_name(info, i));
		mod->sections[n].addr = elf_sec_addr(lo, i, 0);
		mod->sections[n++].size = info->sechdrs[i].sh_size;
	}
	n = 0;
	for (unsigned int i = 1; i < info->nsyms; i++) {
		const Elf64_Sym *sym = &info->syms[i];

		if (!module_sym_kept(info, lo, i))
			continue;
		mod->symbols[n].name = module_copy_name(&strings, elf_sym_name(info, i));
		mod->symbols[n].addr = elf_sec_addr(lo, sym->st_shndx, sym->st_value);
		mod->symbols[n++].size = sym->st_size;
	}
	sort(mod->symbols, mod->nr_symbols, sizeof(*mod->symbols), module_symbol_cmp);
}

static void module_free_kept(struct module *mod)
{
	kfree(mod->sections);
	kfree(mod->symbols);
	kfree(mod->strings);
}

static int module_keep(struct module *mod, const struct load_info *info,
		       const struct elf_layout *lo)
{
	unsigned long bytes = module_count_kept(mod, info, lo);

	mod->sections = kcalloc(mod->nr_sections + 1, sizeof(*mod->sections), GFP_KERNEL);
	mod->symbols = kcalloc(mod->nr_symbols + 1, sizeof(*mod->symbols), GFP_KERNEL);
	mod->strings = kmalloc(bytes + 1, GFP_KERNEL);
	if (!mod->sections || !mod->symbols || !mod->strings) {
		pr_err("module %s: no memory for its symbol table (%u symbols, %u sections)\n",
		       mod->name, mod->nr_symbols, mod->nr_sections);
		module_free_kept(mod);
		return -ENOMEM;
	}
	module_fill_kept(mod, info, lo);
	return 0;
}

/* Is the string at @s terminated inside one of @mod's regions? */
static bool module_has_string(const struct module *mod, unsigned long s)
{
	for (unsigned int r = 0; r < MOD_REGION_NUM; r++) {
		const struct module_region *reg = &mod->region[r];
		unsigned long room = reg->base + reg->size - s;

		if (reg->size && s - reg->base < reg->size)
			return strnlen((const char *)s, room) < room;
	}
	return false;
}

/* The module's __ksymtab, relocated: every entry inside the module. */
static int module_check_exports(const struct module *mod)
{
	for (unsigned int i = 0; i < mod->nr_exports; i++) {
		const struct kernel_symbol *ks = &mod->exports[i];

		if (!module_has_string(mod, (unsigned long)ks->name) ||
		    !module_contains(mod, ks->value)) {
			pr_err("module %s: export %u (name at %p, value %#lx) lies outside the module\n",
			       mod->name, i, ks->name, ks->value);
			return -ENOEXEC;
		}
	}
	return 0;
}

/* Who other than @self exports @name already: the kernel, or a module
 * (any state) whose exports are published; its name into @owner. */
static bool module_export_taken_locked(const char *name, const struct module *self, char *owner,
				       size_t size)
{
	struct module *mod;

	assert_held(&module_lock);
	if (kernel_export(name)) {
		strlcpy(owner, "the kernel", size);
		return true;
	}
	list_for_each_entry(mod, &modules, list) {
		if (mod != self && mod->exports_published &&
		    ksym_find(mod->exports, mod->nr_exports, name)) {
			strlcpy(owner, mod->name, size);
			return true;
		}
	}
	return false;
}

/* Take every name @mod exports, or none: -ENOEXEC if one is taken already. */
static int module_publish_exports(struct module *mod)
{
	char owner[MODULE_NAME_LEN + 16];
	const char *dup = NULL;

	spin_lock(&module_lock);
	for (unsigned int i = 0; i < mod->nr_exports && !dup; i++)
		if (module_export_taken_locked(mod->exports[i].name, mod, owner, sizeof(owner)))
			dup = mod->exports[i].name;
	mod->exports_published = !dup;
	spin_unlock(&module_lock);
	if (dup) {
		pr_err("module %s: exports %s, which %s exports already\n", mod->name, dup, owner);
		return -ENOEXEC;
	}
	return 0;
}

/* ---- load ---- */

/* init, exit and the exports, at their final addresses. */
static void module_set_functions(struct module *mod, const struct load_info *info,
				 const struct elf_layout *lo, const unsigned long *values)
{
	mod->init = (int (*)(void))values[info->init_sym];
	mod->exit = info->exit_sym ? (void (*)(void))values[info->exit_sym] : NULL;
	if (info->ksymtab_index) {
		mod->exports =
			(const struct kernel_symbol *)elf_sec_addr(lo, info->ksymtab_index, 0);
		mod->nr_exports =
			info->sechdrs[info->ksymtab_index].sh_size / sizeof(struct kernel_symbol);
	}
}

/* Resolve, then take the name: the module is on the list, COMING. */
static int module_link(struct module *mod, const struct load_info *info,
		       const struct elf_layout *lo, unsigned long *values)
{
	struct module_resolve res = { mod, 0 };
	int err = elf_resolve(info, lo, values, module_resolve_symbol, &res);

	if (res.err) {
		pr_err("module %s: no memory to record the modules it uses\n", mod->name);
		return res.err;
	}
	if (err)
		return err;
	module_set_functions(mod, info, lo, values);
	spin_lock(&module_lock);
	if (find_module_locked(mod->name)) {
		spin_unlock(&module_lock);
		pr_err("module %s: a module of that name is loaded already\n", mod->name);
		return -EEXIST;
	}
	mod->state = MODULE_STATE_COMING;
	list_add(&mod->list, &modules);
	spin_unlock(&module_lock);
	return 0;
}

static void module_unlink(struct module *mod)
{
	spin_lock(&module_lock);
	list_del(&mod->list);
	spin_unlock(&module_lock);
}

/* Relocate, check and publish the exports, protect, check W+X: ready to run init. */
static int module_finish(struct module *mod, const struct load_info *info,
			 const struct elf_layout *lo, const unsigned long *values)
{
	int err = elf_relocate(info, lo, values);

	if (err)
		return err;
	err = module_check_exports(mod);
	if (!err)
		err = module_publish_exports(mod);
	if (!err)
		err = module_protect(mod);
	if (!err)
		err = module_check_wx(mod);
	return err;
}

static struct module *module_create(const struct load_info *info)
{
	struct module *mod = kzalloc(sizeof(*mod), GFP_KERNEL);

	if (!mod) {
		pr_err("module %s: no memory for struct module\n", info->name);
		return NULL;
	}
	strlcpy(mod->name, info->name, sizeof(mod->name));
	INIT_LIST_HEAD(&mod->list);
	INIT_LIST_HEAD(&mod->uses);
	INIT_LIST_HEAD(&mod->users);
	return mod;
}

static int module_run_init(struct module *mod)
{
	int ret = mod->init();

	if (ret) {
		pr_err("module %s: init returned %d; unloading it\n", mod->name, ret);
		return ret < 0 ? ret : -EINVAL;
	}
	spin_lock(&module_lock);
	mod->state = MODULE_STATE_LIVE;
	spin_unlock(&module_lock);
	return 0;
}

/* Steps 2 to the end of load_module(), with the temporary arrays in @lo and @values. */
static int module_load_laid_out(struct module *mod, const struct load_info *info,
				struct elf_layout *lo, unsigned long *values)
{
	int err;

	elf_layout(info, lo);
	err = module_alloc_regions(mod, lo);
	if (err)
		return err;
	elf_copy(info, lo);
	err = module_keep(mod, info, lo);
	if (err)
		goto out_free_regions;
	err = module_link(mod, info, lo, values);
	if (err)
		goto out_drop_uses;
	err = module_finish(mod, info, lo, values);
	if (!err)
		err = module_run_init(mod);
	if (!err)
		return 0;
	module_unlink(mod);
out_drop_uses:
	module_drop_uses(mod);
	module_free_kept(mod);
out_free_regions:
	module_free_regions(mod);
	return err;
}

int load_module(const void *image, unsigned long len, struct module **out)
{
	struct load_info info;
	struct elf_layout lo = { 0 };
	unsigned long *values;
	struct module *mod;
	int err;

	err = elf_check(&info, image, len, vermagic);
	if (err)
		return err;
	if (find_module(info.name)) {
		pr_err("module %s: a module of that name is loaded already\n", info.name);
		return -EEXIST;
	}
	mod = module_create(&info);
	lo.sec = kcalloc(info.shnum, sizeof(*lo.sec), GFP_KERNEL);
	values = kcalloc(info.nsyms, sizeof(*values), GFP_KERNEL);
	err = -ENOMEM;
	if (!mod || !lo.sec || !values) {
		pr_err("module %s: no memory to load it (%u sections, %u symbols)\n", info.name,
		       info.shnum, info.nsyms);
		goto out;
	}
	err = module_load_laid_out(mod, &info, &lo, values);
out:
	kfree(values);
	kfree(lo.sec);
	if (err) {
		kfree(mod);
		return err;
	}
	pr_info("module %s: loaded, text at %#lx (%lu bytes in %lu pages)\n", mod->name,
		mod->region[MOD_TEXT].base, mod->size, mod->size >> PAGE_SHIFT);
	if (out)
		*out = mod;
	return 0;
}

/* ---- unload ---- */

/* Why @mod cannot go now (written into @why, -EBUSY), or 0 with it GOING. */
static int module_begin_unload_locked(struct module *mod, char *why, size_t size)
{
	struct module_use *use;

	if (mod->state != MODULE_STATE_LIVE) {
		scnprintf(why, size, "it is %s, not live", module_state_names[mod->state]);
		return -EBUSY;
	}
	if (!mod->exit) {
		scnprintf(why, size, "it has no exit function (MODULE_EXIT)");
		return -EBUSY;
	}
	if (mod->nr_users) {
		use = list_first_entry(&mod->users, struct module_use, target_list);
		scnprintf(why, size, "in use by %s (%u users)", use->source->name, mod->nr_users);
		return -EBUSY;
	}
	if (mod->refcount) {
		scnprintf(why, size, "%d references held", mod->refcount);
		return -EBUSY;
	}
	mod->state = MODULE_STATE_GOING;
	return 0;
}

int delete_module(const char *name)
{
	struct module *mod;
	char why[96];
	int err;

	spin_lock(&module_lock);
	mod = find_module_locked(name);
	err = mod ? module_begin_unload_locked(mod, why, sizeof(why)) : -ENOENT;
	spin_unlock(&module_lock);
	if (err == -ENOENT)
		pr_err("module: no module named \"%.*s\" is loaded\n", MODULE_NAME_LEN, name);
	else if (err)
		pr_err("module %s: cannot unload: %s\n", name, why);
	if (err)
		return err;
	if (mod->exit)
		mod->exit();
	module_unlink(mod);
	module_drop_uses(mod);
	module_free_kept(mod);
	module_free_regions(mod);
	pr_info("module %s: unloaded\n", mod->name);
	kfree(mod);
	return 0;
}

/* ---- references ---- */

bool try_module_get(struct module *mod)
{
	bool ok;

	spin_lock(&module_lock);
	ok = mod->state == MODULE_STATE_LIVE;
	if (ok)
		mod->refcount++;
	spin_unlock(&module_lock);
	return ok;
}

void module_put(struct module *mod)
{
	bool underflow;

	spin_lock(&module_lock);
	underflow = mod->refcount <= 0;
	if (!underflow)
		mod->refcount--;
	spin_unlock(&module_lock);
	WARN_ON_ONCE(underflow);
}

/* ---- dumps and address lookups ---- */

/* Format the @k-th module's lsmod line into @buf; false past the last. */
static bool lsmod_format(unsigned int k, char *buf, size_t size)
{
	struct module *mod;
	struct module_use *use;
	size_t n;
	bool found = false;

	spin_lock(&module_lock);
	list_for_each_entry(mod, &modules, list) {
		if (k--)
			continue;
		n = scnprintf(buf, size, "%s %lu %d ", mod->name, mod->size,
			      mod->refcount + (int)mod->nr_users);
		list_for_each_entry(use, &mod->users, target_list)
			n += scnprintf(buf + n, size - n, "%s,", use->source->name);
		if (list_empty(&mod->users))
			n += scnprintf(buf + n, size - n, "-");
		scnprintf(buf + n, size - n, " %s 0x%016lx", module_state_names[mod->state],
			  mod->region[MOD_TEXT].base);
		found = true;
		break;
	}
	spin_unlock(&module_lock);
	return found;
}

void lsmod_dump(void)
{
	char line[256];

	for (unsigned int k = 0; lsmod_format(k, line, sizeof(line)); k++)
		printk("%s\n", line);
}

/* The first of @mod's symbols above @addr (nr_symbols if none): binary search. */
static unsigned int module_symbol_above(const struct module *mod, unsigned long addr)
{
	unsigned int lo = 0, hi = mod->nr_symbols;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (mod->symbols[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The alias names MODULE_INIT()/MODULE_EXIT() add: a function's last choice of name. */
static bool module_symbol_is_alias(const struct module_symbol *s)
{
	return !strcmp(s->name, "init_module") || !strcmp(s->name, "cleanup_module");
}

/* The region of @mod holding @addr (module_contains() said one does). */
static const struct module_region *module_region_of(const struct module *mod, unsigned long addr)
{
	for (unsigned int r = 0; r < MOD_REGION_NUM; r++)
		if (mod->region[r].size && addr - mod->region[r].base < mod->region[r].size)
			return &mod->region[r];
	return NULL;
}

/* The symbol naming @addr in @reg, or -1: the highest address at or below
 * it inside the region, the first non-alias name there in table order. */
static int module_symbol_find(const struct module *mod, const struct module_region *reg,
			      unsigned long addr)
{
	unsigned int end = module_symbol_above(mod, addr), i;

	if (!end || mod->symbols[end - 1].addr < reg->base)
		return -1;
	i = end - 1;
	while (i > 0 && mod->symbols[i - 1].addr == mod->symbols[end - 1].addr)
		i--;
	for (unsigned int j = i; j < end; j++)
		if (!module_symbol_is_alias(&mod->symbols[j]))
			return (int)j;
	return (int)i;
}

/* The size of kept symbol @i of @mod in @reg: its own, else up to the next
 * higher address in the region, else to the region's end. */
static unsigned long module_symbol_size(const struct module *mod, const struct module_region *reg,
					unsigned int i)
{
	const struct module_symbol *s = &mod->symbols[i];
	unsigned int next = module_symbol_above(mod, s->addr);

	if (s->size)
		return s->size;
	if (next < mod->nr_symbols && mod->symbols[next].addr - reg->base < reg->size)
		return mod->symbols[next].addr - s->addr;
	return reg->base + reg->size - s->addr;
}

const char *module_address_lookup(unsigned long addr, unsigned long *size, unsigned long *offset,
				  char *modname, char *namebuf)
{
	const struct module_region *reg;
	const struct module *mod;
	const char *name = NULL;
	int i = -1;

	if (addr < MODULES_VADDR || addr >= MODULES_END || !module_lock_try())
		return NULL;
	mod = module_of_address_locked(addr);
	reg = mod ? module_region_of(mod, addr) : NULL;
	if (reg)
		i = module_symbol_find(mod, reg, addr);
	if (i >= 0) {
		strlcpy(namebuf, mod->symbols[i].name, KSYM_NAME_LEN);
		name = namebuf;
		if (size)
			*size = module_symbol_size(mod, reg, (unsigned int)i);
		if (offset)
			*offset = addr - mod->symbols[i].addr;
		if (modname)
			strlcpy(modname, mod->name, MODULE_NAME_LEN);
	}
	spin_unlock(&module_lock);
	return name;
}
