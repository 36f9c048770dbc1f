/*
 * Self-tests of the module loader (kernel/module/), suite module_load, on
 * small modules built from tests/kernel/modules/ and embedded here with
 * .incbin: mlt_base (all four regions, two exports), mlt_user (uses
 * mlt_base_add), mlt_fail (its init fails), mlt_dup (exports a name
 * mlt_base exports) and mlt_noexit (no exit function, an unnamed start of
 * rodata).
 *
 * What "nothing left behind" means here, checked after every unload and
 * every refused load: the free page count, the busy vmalloc areas and the
 * mapped pages of the whole module area are what they were, and no module
 * is on the list. A warm-up load first gives the slab caches and the page
 * tables of the module area the memory they keep.
 */
#include "debug/ktest.h"

#include "asm/page.h"
#include "asm/pgtable.h"
#include "asm/ptdump.h"
#include "kernel/errno.h"
#include "kernel/module.h"
#include "kernel/printk.h"
#include "kernel/symbols.h"
#include "lib/string.h"
#include "lib/vsprintf.h"
#include "mm/memlayout.h"
#include "mm/page_alloc.h"
#include "mm/slab.h"
#include "mm/vmalloc.h"

#ifndef MLT_DIR
#error "MLT_DIR (where make put the test modules) is not defined"
#endif

/* Each image 8-byte aligned (the loader wants it), between start and end labels. */
#define MLT_IMAGE(name)                                           \
	extern const u8 mlt_##name##_start[], mlt_##name##_end[]; \
	__asm__(".pushsection .rodata\n"                          \
		".balign 8\n"                                     \
		"mlt_" #name "_start:\n"                          \
		".incbin \"" MLT_DIR "/mlt_" #name ".ko\"\n"      \
		"mlt_" #name "_end:\n"                            \
		".popsection\n")

MLT_IMAGE(base);
MLT_IMAGE(user);
MLT_IMAGE(fail);
MLT_IMAGE(dup);
MLT_IMAGE(noexit);

/* What the test modules write and read in the kernel. */
int mlt_events;
int mlt_fail_ret = -EINVAL;
void (*mlt_base_init_hook)(void);
EXPORT_SYMBOL(mlt_events);
EXPORT_SYMBOL(mlt_fail_ret);
EXPORT_SYMBOL(mlt_base_init_hook);

static int mlt_load(const u8 *start, const u8 *end, struct module **out)
{
	return load_module(start, (unsigned long)(end - start), out);
}

static int mlt_load_base(struct module **out)
{
	return mlt_load(mlt_base_start, mlt_base_end, out);
}

static int mlt_load_user(struct module **out)
{
	return mlt_load(mlt_user_start, mlt_user_end, out);
}

/* The exit function a test gives mlt_noexit to get rid of it (white box:
 * delete_module() refuses a module without one). */
static void mlt_noexit_stub_exit(void)
{
}

static int mlt_unload_noexit(void)
{
	struct module *mod = find_module("mlt_noexit");

	if (!mod)
		return -ENOENT;
	mod->exit = mlt_noexit_stub_exit;
	return delete_module("mlt_noexit");
}

/* ktest_defer() actions: unload what a failed test left loaded; disarm injection. */
static void mlt_unload_all(void *unused __unused)
{
	mlt_base_init_hook = NULL;
	mlt_unload_noexit();
	delete_module("mlt_user");
	delete_module("mlt_fail");
	delete_module("mlt_dup");
	delete_module("mlt_base");
}

static void mlt_fail_off(void *unused __unused)
{
	fail_slab_set(0, 0);
	fail_page_alloc_set(0, 0);
}

static void mlt_count_present(const struct ptdump_range *r, void *data)
{
	if (r->prot & _PAGE_PRESENT)
		*(unsigned long *)data += (r->last - r->start + 1) >> PAGE_SHIFT;
}

/* Mapped pages in the whole module area. */
static unsigned long mlt_module_area_pages(void)
{
	unsigned long n = 0;

	ptdump_walk_ranges(MODULES_VADDR, MODULES_END, mlt_count_present, &n);
	return n;
}

struct mlt_snapshot {
	unsigned long free_pages, busy, area_pages, slab_objs;
};

/*
 * Free pages (with page-table pages, which are never freed: a table that
 * split the direct map over a text alias is no leak), live areas and mapped
 * module pages, once what vmalloc caches is gone: a lazily freed area keeps
 * its vmap_area node until a purge, so the lazy list growing across tests (nothing purges it below the lazy budget)
 * would make the node cache take a new slab page in the middle of a check.
 * Purging the lazy list (and the pools it feeds) first keeps the node count,
 * and so the slab pages, that of the live areas and free blocks. Then every
 * CPU's slab arrays are drained and the empty slabs freed, so that free
 * pages and objects in use are exact, whatever the arrays held before.
 */
static struct mlt_snapshot mlt_snap(void)
{
	vm_unmap_aliases(); /* the vfree_atomic() queue, vm_map_ram blocks, lazy areas */
	vmalloc_pool_drain();
	kmem_cache_shrink_all();
	return (struct mlt_snapshot){ nr_free_pages() + pgtable_stats.pt_pages, vmalloc_nr_busy(),
				      mlt_module_area_pages(), slab_nr_objects() };
}

/* Nothing was left since @before: no page, area or mapped module page. */
#define MLT_EXPECT_SAME(t, before)                                        \
	do {                                                              \
		struct mlt_snapshot now_ = mlt_snap();                    \
		KTEST_EXPECT_EQ(t, now_.free_pages, (before).free_pages); \
		KTEST_EXPECT_EQ(t, now_.busy, (before).busy);             \
		KTEST_EXPECT_EQ(t, now_.area_pages, (before).area_pages); \
		KTEST_EXPECT_EQ(t, now_.slab_objs, (before).slab_objs);   \
	} while (0)

#define MLT_EXPECT_NOTHING_LEFT(t, before)                  \
	do {                                                \
		MLT_EXPECT_SAME(t, before);                 \
		KTEST_EXPECT_TRUE(t, list_empty(&modules)); \
	} while (0)

/* A warm-up load and unload: slab caches and page tables keep what they need. */
static void mlt_warm_up(struct ktest *t)
{
	KTEST_ASSERT_EQ(t, mlt_load_base(NULL), 0);
	KTEST_ASSERT_EQ(t, delete_module("mlt_base"), 0);
}

/* The value of @mod's export @name, or 0. */
static unsigned long mlt_export(const struct module *mod, const char *name)
{
	for (unsigned int i = 0; i < mod->nr_exports; i++)
		if (!strcmp(mod->exports[i].name, name))
			return mod->exports[i].value;
	return 0;
}

KTEST(module_load, load_call_unload)
{
	struct mlt_snapshot before;
	struct module *mod = NULL;
	int (*add)(int);
	int *counter;

	ktest_defer(t, mlt_unload_all, NULL);
	mlt_warm_up(t);
	before = mlt_snap();
	mlt_events = 0;
	KTEST_ASSERT_EQ(t, mlt_load_base(&mod), 0);
	KTEST_ASSERT_NOT_NULL(t, mod);
	KTEST_EXPECT_EQ(t, mlt_events, 1); /* init ran once */
	KTEST_EXPECT_EQ(t, (int)mod->state, (int)MODULE_STATE_LIVE);
	KTEST_EXPECT_TRUE(t, find_module("mlt_base") == mod);
	KTEST_EXPECT_EQ(t, mod->nr_exports, 2U);
	add = (int (*)(int))mlt_export(mod, "mlt_base_add");
	counter = (int *)mlt_export(mod, "mlt_base_counter");
	KTEST_ASSERT_NOT_NULL(t, add);
	KTEST_ASSERT_NOT_NULL(t, counter);
	KTEST_EXPECT_EQ(t, *counter, 6); /* 5 in .data, +1 by init */
	KTEST_EXPECT_EQ(t, add(3), 9);
	KTEST_EXPECT_EQ(t, *counter, 9);
	for (unsigned int r = 0; r < MOD_REGION_NUM; r++) {
		KTEST_EXPECT_NE(t, mod->region[r].base, 0UL);
		KTEST_EXPECT_GE(t, mod->region[r].base, MODULES_VADDR);
		KTEST_EXPECT_LT(t, mod->region[r].base + mod->region[r].size, MODULES_END);
	}
	KTEST_EXPECT_EQ(t, delete_module("mlt_base"), 0);
	KTEST_EXPECT_EQ(t, mlt_events, 101); /* exit ran once */
	KTEST_EXPECT_NULL(t, find_module("mlt_base"));
	MLT_EXPECT_NOTHING_LEFT(t, before);
}

/* The rights of the page at @va: RW and NX bits, or ~0 when unmapped. */
static u64 mlt_rights(unsigned long va)
{
	enum pg_level level;
	pte_t *pte = lookup_address(va, &level);

	return pte && (*pte & _PAGE_PRESENT) ? *pte & (_PAGE_RW | _PAGE_NX) : ~0ULL;
}

/* Each page of @reg has @want at its address, and @alias at its direct-map alias. */
static void mlt_expect_region_rights(struct ktest *t, const struct module_region *reg, u64 want,
				     u64 alias)
{
	for (unsigned long va = reg->base; va < reg->base + reg->size; va += PAGE_SIZE) {
		KTEST_EXPECT_EQ(t, mlt_rights(va), want);
		KTEST_EXPECT_EQ(
			t, mlt_rights((unsigned long)page_address(vmalloc_to_page((void *)va))),
			alias);
	}
}

/* Called through a pointer the compiler cannot see through, kept for the fault. */
static int (*volatile mlt_add)(int);
static volatile int mlt_result;

KTEST(module_load, regions_have_their_rights_in_the_ptes)
{
	struct module *mod = NULL;
	struct module_region text, data;
	struct vm_struct *area;
	struct ptdump_wx wx;

	ktest_defer(t, mlt_unload_all, NULL);
	KTEST_ASSERT_EQ(t, mlt_load_base(&mod), 0);
	/* text RX, rodata R; their direct-map aliases read-only too, all NX */
	mlt_expect_region_rights(t, &mod->region[MOD_TEXT], 0, _PAGE_NX);
	mlt_expect_region_rights(t, &mod->region[MOD_RODATA], _PAGE_NX, _PAGE_NX);
	mlt_expect_region_rights(t, &mod->region[MOD_DATA], _PAGE_RW | _PAGE_NX,
				 _PAGE_RW | _PAGE_NX);
	mlt_expect_region_rights(t, &mod->region[MOD_BSS], _PAGE_RW | _PAGE_NX,
				 _PAGE_RW | _PAGE_NX);
	KTEST_EXPECT_EQ(t, mod->region[MOD_BSS].size, 8192UL);
	ptdump_count_wx(&wx, false);
	KTEST_EXPECT_EQ(t, wx.wx_pages, 0UL);
	KTEST_EXPECT_EQ(t, wx.alias_pages, 0UL);
	for (unsigned int r = 0; r < MOD_REGION_NUM; r++) {
		area = find_vm_area((void *)mod->region[r].base);
		KTEST_ASSERT_NOT_NULL(t, area);
		KTEST_EXPECT_TRUE(t, area->flags & VM_FLUSH_RESET_PERMS);
	}
	text = mod->region[MOD_TEXT];
	data = mod->region[MOD_DATA];
	mlt_add = (int (*)(int))mlt_export(mod, "mlt_base_add");
	KTEST_EXPECT_FAULT(t, *(volatile u8 *)text.base = 0xcc);
	KTEST_EXPECT_EQ(t, t->fault_addr, text.base);
	KTEST_EXPECT_EQ(t, mlt_add(1), 7); /* the TLB now holds the text's translation */
	KTEST_EXPECT_EQ(t, delete_module("mlt_base"), 0);
	/* no translation, executable or not, of the old regions survives */
	KTEST_EXPECT_EQ(t, mlt_rights(text.base), ~0ULL);
	KTEST_EXPECT_EQ(t, mlt_rights(data.base), ~0ULL);
	KTEST_EXPECT_FAULT(t, mlt_result = mlt_add(1));
	KTEST_EXPECT_EQ(t, t->fault_addr, (unsigned long)mlt_add);
}

KTEST(module_load, loading_a_loaded_name_is_refused)
{
	struct mlt_snapshot before;
	unsigned long mark;

	ktest_defer(t, mlt_unload_all, NULL);
	KTEST_ASSERT_EQ(t, mlt_load_base(NULL), 0);
	before = mlt_snap();
	mark = ktest_log_mark();
	KTEST_EXPECT_EQ(t, mlt_load_base(NULL), -EEXIST);
	KTEST_EXPECT_TRUE(
		t, ktest_log_has(mark, "module mlt_base: a module of that name is loaded already"));
	MLT_EXPECT_SAME(t, before);
	KTEST_EXPECT_EQ(t, delete_module("mlt_base"), 0);
}

KTEST(module_load, a_used_module_is_busy_until_its_user_goes)
{
	struct module *base = NULL, *user = NULL;
	char line[KTEST_NEEDLE_MAX];
	unsigned long mark;

	ktest_defer(t, mlt_unload_all, NULL);
	mlt_events = 0;
	KTEST_ASSERT_EQ(t, mlt_load_base(&base), 0);
	KTEST_ASSERT_EQ(t, mlt_load_user(&user), 0);
	KTEST_EXPECT_EQ(t, mlt_events, 1 + 10 * 6 + 1000); /* user's init called mlt_base_add(0) */
	KTEST_EXPECT_EQ(t, base->nr_users, 1U);
	mark = ktest_log_mark();
	lsmod_dump(); /* /proc/modules: name size refcount users, state address */
	snprintf(line, sizeof(line), "mlt_base %lu 1 mlt_user, Live 0x%016lx", base->size,
		 base->region[MOD_TEXT].base);
	KTEST_EXPECT_TRUE(t, ktest_log_has(mark, line));
	snprintf(line, sizeof(line), "mlt_user %lu 0 - Live 0x%016lx", user->size,
		 user->region[MOD_TEXT].base);
	KTEST_EXPECT_TRUE(t, ktest_log_has(mark, line));
	KTEST_EXPECT_EQ(t, delete_module("mlt_base"), -EBUSY);
	KTEST_EXPECT_TRUE(t, ktest_log_has(mark,
					   "module mlt_base: cannot unload: in use by mlt_user"));
	KTEST_EXPECT_TRUE(t, find_module("mlt_base") == base);
	KTEST_EXPECT_EQ(t, delete_module("mlt_user"), 0);
	KTEST_EXPECT_EQ(t, base->nr_users, 0U);
	KTEST_EXPECT_EQ(t, delete_module("mlt_base"), 0);
	KTEST_EXPECT_EQ(t, delete_module("mlt_base"), -ENOENT);
}

KTEST(module_load, a_held_reference_makes_it_busy)
{
	struct module *mod = NULL;

	ktest_defer(t, mlt_unload_all, NULL);
	KTEST_ASSERT_EQ(t, mlt_load_base(&mod), 0);
	KTEST_EXPECT_TRUE(t, try_module_get(mod));
	KTEST_EXPECT_EQ(t, delete_module("mlt_base"), -EBUSY);
	module_put(mod);
	KTEST_EXPECT_EQ(t, delete_module("mlt_base"), 0);
}

KTEST(module_load, a_missing_symbol_is_named_and_nothing_is_left)
{
	struct mlt_snapshot before;
	unsigned long mark;

	ktest_defer(t, mlt_unload_all, NULL);
	mlt_warm_up(t);
	before = mlt_snap();
	mark = ktest_log_mark();
	KTEST_EXPECT_EQ(t, mlt_load_user(NULL), -ENOENT);
	KTEST_EXPECT_TRUE(t, ktest_log_has(mark, "module mlt_user: unknown symbol mlt_base_add"));
	MLT_EXPECT_NOTHING_LEFT(t, before);
}

KTEST(module_load, a_failing_init_leaves_nothing)
{
	struct mlt_snapshot before;
	unsigned long mark;

	ktest_defer(t, mlt_unload_all, NULL);
	mlt_warm_up(t);
	before = mlt_snap();
	mark = ktest_log_mark();
	mlt_fail_ret = -ENODEV;
	KTEST_EXPECT_EQ(t, mlt_load(mlt_fail_start, mlt_fail_end, NULL), -ENODEV);
	KTEST_EXPECT_TRUE(t, ktest_log_has(mark, "module mlt_fail: init returned -19"));
	KTEST_EXPECT_NULL(t, find_module("mlt_fail"));
	MLT_EXPECT_NOTHING_LEFT(t, before);
}

KTEST(module_load, an_export_taken_by_a_live_module_is_refused)
{
	struct mlt_snapshot before;
	unsigned long mark;

	ktest_defer(t, mlt_unload_all, NULL);
	KTEST_ASSERT_EQ(t, mlt_load_base(NULL), 0);
	before = mlt_snap();
	mark = ktest_log_mark();
	KTEST_EXPECT_EQ(t, mlt_load(mlt_dup_start, mlt_dup_end, NULL), -ENOEXEC);
	KTEST_EXPECT_TRUE(
		t,
		ktest_log_has(
			mark,
			"module mlt_dup: exports mlt_base_counter, which mlt_base exports already"));
	KTEST_EXPECT_NULL(t, find_module("mlt_dup"));
	MLT_EXPECT_SAME(t, before);
	KTEST_EXPECT_EQ(t, delete_module("mlt_base"), 0);
	/* alone, it loads */
	KTEST_EXPECT_EQ(t, mlt_load(mlt_dup_start, mlt_dup_end, NULL), 0);
	KTEST_EXPECT_EQ(t, delete_module("mlt_dup"), 0);
}

KTEST(module_load, bad_images_are_refused_by_name)
{
	unsigned long len = (unsigned long)(mlt_base_end - mlt_base_start), mark;
	u8 *copy = ktest_kmalloc(t, len, GFP_KERNEL);

	KTEST_ASSERT_NOT_NULL(t, copy);
	mark = ktest_log_mark();
	KTEST_EXPECT_EQ(t, load_module(mlt_base_start, 10, NULL), -ENOEXEC);
	KTEST_EXPECT_TRUE(t, ktest_log_has(mark, "module: image of 10 bytes is shorter"));
	memcpy(copy, mlt_base_start, len);
	copy[18] = 3; /* e_machine: EM_386 */
	KTEST_EXPECT_EQ(t, load_module(copy, len, NULL), -ENOEXEC);
	KTEST_EXPECT_TRUE(t, ktest_log_has(mark, "module: ELF machine 3, want x86-64 (62)"));
	KTEST_EXPECT_TRUE(t, list_empty(&modules));
}

KTEST(module_load, address_lookup_names_the_module_function)
{
	char modname[MODULE_NAME_LEN] = "", buf[KSYM_NAME_LEN];
	unsigned long add, size = 0, offset = 0;
	struct module *mod = NULL;
	const char *name;

	ktest_defer(t, mlt_unload_all, NULL);
	KTEST_ASSERT_EQ(t, mlt_load_base(&mod), 0);
	add = mlt_export(mod, "mlt_base_add");
	name = module_address_lookup(add + 3, &size, &offset, modname, buf);
	KTEST_ASSERT_NOT_NULL(t, name);
	KTEST_EXPECT_EQ(t, strcmp(name, "mlt_base_add"), 0);
	KTEST_EXPECT_EQ(t, offset, 3UL);
	KTEST_EXPECT_GT(t, size, 3UL);
	KTEST_EXPECT_EQ(t, strcmp(modname, "mlt_base"), 0);
	KTEST_EXPECT_TRUE(t, module_of_address(add) == mod);
	name = module_address_lookup(mlt_export(mod, "mlt_base_counter"), NULL, &offset, NULL, buf);
	KTEST_EXPECT_TRUE(t, name && !strcmp(name, "mlt_base_counter"));
	KTEST_EXPECT_NULL(t,
			  module_address_lookup((unsigned long)&mlt_events, NULL, NULL, NULL, buf));
	KTEST_EXPECT_EQ(t, delete_module("mlt_base"), 0);
	KTEST_EXPECT_NULL(t, module_address_lookup(add, NULL, NULL, NULL, buf));
}

/* Bug: the lookup returned pointers into the module's name and string
 * table, which delete_module() frees: a backtrace racing rmmod read freed
 * memory. The names are copies now, intact after the unload. */
KTEST(module_load, lookup_names_survive_the_modules_unload)
{
	char modname[MODULE_NAME_LEN] = "", buf[KSYM_NAME_LEN];
	struct module *mod = NULL;
	const char *name;

	ktest_defer(t, mlt_unload_all, NULL);
	KTEST_ASSERT_EQ(t, mlt_load_base(&mod), 0);
	name = module_address_lookup(mlt_export(mod, "mlt_base_add"), NULL, NULL, modname, buf);
	KTEST_ASSERT_NOT_NULL(t, name);
	KTEST_EXPECT_EQ(t, delete_module("mlt_base"), 0);
	KTEST_EXPECT_STREQ(t, name, "mlt_base_add");
	KTEST_EXPECT_STREQ(t, modname, "mlt_base");
}

/* "name+0xoff/0xsize [mod]" less its "/0xsize", in place (the size depends on the compiler). */
static const char *mlt_no_size(char *buf)
{
	char *slash = strchr(buf, '/'), *space = slash ? strchr(slash, ' ') : NULL;

	if (space)
		memmove(slash, space, strlen(space) + 1);
	return buf;
}

/* Bug: among aliases the lookup took the last in sorted order, the global
 * init_module/cleanup_module that MODULE_INIT/EXIT add, not the function. */
KTEST(module_load, init_and_exit_are_named_by_their_own_names)
{
	struct module *mod = NULL;
	char buf[96];

	ktest_defer(t, mlt_unload_all, NULL);
	KTEST_ASSERT_EQ(t, mlt_load_base(&mod), 0);
	snprintf(buf, sizeof(buf), "%pS", (void *)mod->init);
	KTEST_EXPECT_STREQ(t, mlt_no_size(buf), "mlt_base_init+0x0 [mlt_base]");
	snprintf(buf, sizeof(buf), "%pS", (void *)mod->exit);
	KTEST_EXPECT_STREQ(t, mlt_no_size(buf), "mlt_base_exit+0x0 [mlt_base]");
	KTEST_EXPECT_EQ(t, delete_module("mlt_base"), 0);
}

/* Bug: an address before the first symbol of its region was named after
 * the previous region's last symbol, with an offset spanning the gap. */
KTEST(module_load, an_unnamed_start_of_a_region_has_no_name)
{
	char modname[MODULE_NAME_LEN], buf[KSYM_NAME_LEN];
	unsigned long ro, offset = 0, size = 0;
	struct module *mod = NULL;
	const char *name;

	ktest_defer(t, mlt_unload_all, NULL);
	KTEST_ASSERT_EQ(t, mlt_load(mlt_noexit_start, mlt_noexit_end, &mod), 0);
	ro = mod->region[MOD_RODATA].base;
	KTEST_ASSERT_NE(t, ro, 0UL);
	name = module_address_lookup(ro, &size, &offset, modname, buf);
	if (name)
		printk("# %s: rodata base %#lx named %s+%#lx\n", t->name, ro, name, offset);
	KTEST_EXPECT_NULL(t, name);
	/* mlt_noexit_table: .rodata after the 16 unnamed bytes */
	name = module_address_lookup(ro + 16 + 4, &size, &offset, modname, buf);
	KTEST_EXPECT_TRUE(t, name && !strcmp(name, "mlt_noexit_table"));
	KTEST_EXPECT_EQ(t, offset, 4UL);
	KTEST_EXPECT_EQ(t, size, 16UL);
	KTEST_EXPECT_EQ(t, mlt_unload_noexit(), 0);
}

/* Bug: a module without MODULE_EXIT could be unloaded (its code may still
 * be in use: nothing stopped it). Refused as Linux does. */
KTEST(module_load, a_module_without_exit_cannot_be_unloaded)
{
	struct module *mod = NULL;
	unsigned long mark;

	ktest_defer(t, mlt_unload_all, NULL);
	KTEST_ASSERT_EQ(t, mlt_load(mlt_noexit_start, mlt_noexit_end, &mod), 0);
	KTEST_EXPECT_NULL(t, mod->exit);
	mark = ktest_log_mark();
	KTEST_EXPECT_EQ(t, delete_module("mlt_noexit"), -EBUSY);
	KTEST_EXPECT_TRUE(t, ktest_log_has(mark, "module mlt_noexit: cannot unload: it has no "
						 "exit function (MODULE_EXIT)"));
	KTEST_EXPECT_TRUE(t, find_module("mlt_noexit") == mod);
	KTEST_EXPECT_EQ(t, (int)mod->state, (int)MODULE_STATE_LIVE);
	KTEST_EXPECT_EQ(t, mlt_unload_noexit(), 0);
	KTEST_EXPECT_NULL(t, find_module("mlt_noexit"));
}

static int mlt_nested_ret;

static void mlt_load_dup_now(void)
{
	mlt_nested_ret = mlt_load(mlt_dup_start, mlt_dup_end, NULL);
}

/* Bug: only LIVE modules' exports were checked, so a module loading while
 * another was COMING (its init running) could export the same name. */
KTEST(module_load, a_coming_modules_exports_are_taken)
{
	unsigned long mark;

	ktest_defer(t, mlt_unload_all, NULL);
	mark = ktest_log_mark();
	mlt_nested_ret = 1;
	mlt_base_init_hook = mlt_load_dup_now; /* mlt_base's init loads mlt_dup */
	KTEST_ASSERT_EQ(t, mlt_load_base(NULL), 0);
	mlt_base_init_hook = NULL;
	KTEST_EXPECT_EQ(t, mlt_nested_ret, -ENOEXEC);
	KTEST_EXPECT_TRUE(
		t,
		ktest_log_has(
			mark,
			"module mlt_dup: exports mlt_base_counter, which mlt_base exports already"));
	KTEST_EXPECT_NULL(t, find_module("mlt_dup"));
	KTEST_EXPECT_EQ(t, delete_module("mlt_base"), 0);
}

/*
 * Fail the nth slab or page allocation of a load for every n until the load
 * succeeds: of mlt_user with mlt_base loaded (the use record is allocated
 * too), or of mlt_base alone (four regions of pages). No failure leaves
 * pages, areas, mapped pages or a module behind, and mlt_base stays unused.
 */
static void mlt_inject_every(struct ktest *t, void (*arm)(unsigned long nth, unsigned long times),
			     bool user, unsigned long min_failures)
{
	const char *name = user ? "mlt_user" : "mlt_base";
	struct mlt_snapshot before, now;
	struct module *base = NULL;
	unsigned long nth, failed = 0;
	int err = -ENOMEM;

	ktest_defer(t, mlt_unload_all, NULL);
	ktest_defer(t, mlt_fail_off, NULL);
	KTEST_ASSERT_EQ(t, mlt_load_base(&base), 0);
	KTEST_ASSERT_EQ(t, mlt_load_user(NULL), 0); /* warm-up */
	KTEST_ASSERT_EQ(t, delete_module("mlt_user"), 0);
	if (!user)
		KTEST_ASSERT_EQ(t, delete_module("mlt_base"), 0);
	before = mlt_snap();
	for (nth = 1; nth <= 4096 && err; nth++) {
		arm(nth, 1);
		err = user ? mlt_load_user(NULL) : mlt_load_base(NULL);
		arm(0, 0);
		if (!err)
			break;
		failed++;
		KTEST_EXPECT_EQ(t, err, -ENOMEM);
		KTEST_EXPECT_NULL(t, find_module(name));
		if (user)
			KTEST_EXPECT_EQ(t, base->nr_users, 0U);
		else
			KTEST_EXPECT_TRUE(t, list_empty(&modules));
		now = mlt_snap();
		KTEST_EXPECT_EQ(t, now.free_pages, before.free_pages);
		KTEST_EXPECT_EQ(t, now.busy, before.busy);
		KTEST_EXPECT_EQ(t, now.area_pages, before.area_pages);
		if (t->failed)
			break;
	}
	KTEST_EXPECT_EQ(t, err, 0);
	KTEST_EXPECT_GE(t, failed, min_failures);
	printk("# %s: %lu loads failed by injection, then one succeeded\n", t->name, failed);
	KTEST_EXPECT_EQ(t, delete_module(name), 0);
	if (user)
		KTEST_EXPECT_EQ(t, delete_module("mlt_base"), 0);
}

/* struct module, 2 arrays, 4 areas (2 objects each), 3 kept arrays, 1 use: 14 at least */
KTEST(module_load, failing_every_slab_allocation_leaves_nothing)
{
	mlt_inject_every(t, fail_slab_set, true, 8);
	mlt_inject_every(t, fail_slab_set, false, 14);
}

/* mlt_base: 5 pages in 4 regions */
KTEST(module_load, failing_every_page_allocation_leaves_nothing)
{
	mlt_inject_every(t, fail_page_alloc_set, false, 5);
}
