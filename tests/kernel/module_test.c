/*
 * Self-tests of loadable modules on the images GRUB loaded (suite module):
 * boot with MODULES=all (scripts/run-tests.sh has such a boot). Each test
 * loads what it needs from the GRUB modules (kernel/boot_modules.c), checks
 * the loader's work from outside -- lsmod's line, the PTEs of each region,
 * refcounts and the unload order, a fault on a write to module text, the
 * module name in %pS, the caller of the module areas -- and unloads what it
 * loaded (deferred, so a failed check still cleans up). Without the GRUB
 * modules every test skips, naming the module it lacks.
 *
 * Two hidden suites drive the e2e tests (tests/e2e/modules.sh):
 *   _module_crash  a fault inside a module, not expected: its oops must name
 *                  the module in the backtrace ("... [faulty]")
 *   _module_gdb    loads mathlib and mathuser, stops in module_test_loaded()
 *                  (GDB loads the symbols there), then calls mathuser_run(),
 *                  unloads mathuser and stops there again
 */
#include "debug/ktest.h"

#include "asm/pgtable.h"
#include "kernel/boot_modules.h"
#include "kernel/errno.h"
#include "kernel/module.h"
#include "kernel/symbols.h"
#include "lib/string.h"
#include "lib/vsprintf.h"
#include "mm/page_alloc.h"
#include "mm/vmalloc.h"

/* Skip @t unless GRUB loaded the module @name. */
static const struct boot_module *modtest_need(struct ktest *t, const char *name)
{
	const struct boot_module *bm = boot_module_find(name);

	if (!bm)
		KTEST_SKIP(t, "no GRUB module (boot with MODULES=all)");
	return bm;
}

static void modtest_action_unload(void *name)
{
	if (find_module(name))
		delete_module(name);
}

/* Load GRUB module @name (skipping without it); unload it when @t ends. */
static struct module *modtest_load(struct ktest *t, const char *name)
{
	const struct boot_module *bm = modtest_need(t, name);
	int ret;

	ret = boot_module_load(bm);
	KTEST_ASSERT_EQ(t, ret, 0);
	ktest_defer(t, modtest_action_unload, (void *)bm->name);
	KTEST_ASSERT_NOT_NULL(t, find_module(name));
	return find_module(name);
}

/* The value of @mod's export @sym, or 0. */
static unsigned long modtest_export(const struct module *mod, const char *sym)
{
	for (unsigned int i = 0; i < mod->nr_exports; i++)
		if (!strcmp(mod->exports[i].name, sym))
			return mod->exports[i].value;
	return 0;
}

/* Did lsmod print exactly the line @mod should have, with @refs and @users? */
static bool modtest_lsmod_shows(const struct module *mod, int refs, const char *users)
{
	char line[KTEST_NEEDLE_MAX];
	unsigned long mark = ktest_log_mark();

	snprintf(line, sizeof(line), "%s %lu %d %s Live 0x%016lx", mod->name, mod->size, refs,
		 users, mod->region[MOD_TEXT].base);
	lsmod_dump();
	return ktest_log_has(mark, line);
}

/* Does @s hold @needle? */
static bool modtest_contains(const char *s, const char *needle)
{
	for (size_t n = strlen(needle); *s; s++)
		if (!strncmp(s, needle, n))
			return true;
	return false;
}

/* The 4 KiB pte of @addr, or NULL. */
static pte_t *modtest_pte(unsigned long addr)
{
	enum pg_level level;
	pte_t *pte = lookup_address(addr, &level);

	return pte && level == PG_LEVEL_4K ? pte : NULL;
}

/* Every page of region @r of @mod has (pte & (RW|NX)) == @want. */
static void modtest_expect_perms(struct ktest *t, const struct module *mod, int r, u64 want)
{
	const struct module_region *reg = &mod->region[r];

	for (unsigned long a = reg->base; a < reg->base + reg->size; a += PAGE_SIZE) {
		pte_t *pte = modtest_pte(a);

		KTEST_ASSERT_NOT_NULL(t, pte);
		KTEST_EXPECT_EQ(t, *pte & (_PAGE_RW | _PAGE_NX), want);
	}
}

KTEST(module, vmstress_loads_runs_its_scenario_and_unloads)
{
	unsigned long mark = ktest_log_mark();
	struct module *mod = modtest_load(t, "vmstress");

	KTEST_EXPECT_EQ(t, (int)mod->state, (int)MODULE_STATE_LIVE);
	KTEST_EXPECT_TRUE(t, ktest_log_has(mark, "vmstress: 5 areas, "));
	KTEST_EXPECT_TRUE(t, ktest_log_has(mark, " written, checked and freed: ok"));
	KTEST_EXPECT_TRUE(t, modtest_lsmod_shows(mod, 0, "-"));
	KTEST_EXPECT_EQ(t, delete_module("vmstress"), 0);
	KTEST_EXPECT_NULL(t, find_module("vmstress"));
	KTEST_EXPECT_TRUE(t, ktest_log_has(mark, "vmstress: unloaded"));
}

/* Pages back after a load and unload (the first cycle warms slab and page tables). */
KTEST(module, load_and_unload_give_every_page_back)
{
	const struct boot_module *bm = modtest_need(t, "mathlib");
	unsigned long free0, pt0;

	KTEST_ASSERT_EQ(t, boot_module_load(bm), 0);
	KTEST_ASSERT_EQ(t, delete_module("mathlib"), 0);
	free0 = nr_free_pages();
	pt0 = pgtable_stats.pt_pages;
	KTEST_ASSERT_EQ(t, boot_module_load(bm), 0);
	KTEST_EXPECT_LT(t, nr_free_pages(), free0);
	KTEST_ASSERT_EQ(t, delete_module("mathlib"), 0);
	KTEST_EXPECT_EQ(t, free0 - nr_free_pages() - (pgtable_stats.pt_pages - pt0), 0UL);
}

KTEST(module, regions_have_text_rx_rodata_ro_data_and_bss_nx_in_their_ptes)
{
	struct module *mod = modtest_load(t, "vmstress");

	KTEST_ASSERT_NE(t, mod->region[MOD_TEXT].base, 0UL);
	modtest_expect_perms(t, mod, MOD_TEXT, 0);
	modtest_expect_perms(t, mod, MOD_RODATA, _PAGE_NX);
	modtest_expect_perms(t, mod, MOD_DATA, _PAGE_RW | _PAGE_NX);
	modtest_expect_perms(t, mod, MOD_BSS, _PAGE_RW | _PAGE_NX);
}

KTEST(module, writing_to_module_text_faults)
{
	struct module *mod = modtest_load(t, "faulty");
	void (*write_text)(void) = (void (*)(void))modtest_export(mod, "faulty_write_text");
	volatile u8 *text = (volatile u8 *)mod->region[MOD_TEXT].base;
	u8 byte = *text;

	KTEST_EXPECT_FAULT(t, *text = byte); /* the same byte: harmless if it lands */
	KTEST_EXPECT_EQ(t, t->fault_addr, (unsigned long)text);
	/* And from inside the module: the store of faulty_write_text() itself. */
	KTEST_ASSERT_NOT_NULL(t, write_text);
	KTEST_EXPECT_FAULT(t, write_text());
	KTEST_EXPECT_EQ(t, t->fault_addr, (unsigned long)write_text);
	KTEST_EXPECT_EQ(t, *text, byte);
}

KTEST(module, a_user_pins_its_exporter_until_it_is_unloaded)
{
	const struct boot_module *user = modtest_need(t, "mathuser");
	unsigned long (*run)(unsigned long, unsigned long);
	struct module *lib, *mod;

	/* Before mathlib, mathuser's symbols resolve to nothing. */
	KTEST_EXPECT_EQ(t, boot_module_load(user), -ENOENT);
	KTEST_EXPECT_NULL(t, find_module("mathuser"));
	lib = modtest_load(t, "mathlib");
	mod = modtest_load(t, "mathuser");
	KTEST_EXPECT_TRUE(t, modtest_lsmod_shows(lib, 1, "mathuser,"));
	KTEST_EXPECT_TRUE(t, modtest_lsmod_shows(mod, 0, "-"));
	KTEST_EXPECT_EQ(t, delete_module("mathlib"), -EBUSY);
	KTEST_EXPECT_EQ(t, (int)lib->state, (int)MODULE_STATE_LIVE);
	run = (unsigned long (*)(unsigned long, unsigned long))modtest_export(mod, "mathuser_run");
	KTEST_ASSERT_NOT_NULL(t, run);
	KTEST_EXPECT_EQ(t, run(84, 36), 12054UL); /* gcd 12, isqrt(3024) 54 */
	KTEST_EXPECT_EQ(t, run(17, 0), 17000UL);
	KTEST_EXPECT_EQ(t, delete_module("mathuser"), 0);
	KTEST_EXPECT_TRUE(t, modtest_lsmod_shows(lib, 0, "-"));
	KTEST_EXPECT_EQ(t, delete_module("mathlib"), 0);
	KTEST_EXPECT_EQ(t, delete_module("mathlib"), -ENOENT);
}

KTEST(module, loading_a_loaded_module_again_is_refused_with_eexist)
{
	struct module *mod = modtest_load(t, "mathlib");
	unsigned long base = mod->region[MOD_TEXT].base;

	KTEST_EXPECT_EQ(t, boot_module_load(modtest_need(t, "mathlib")), -EEXIST);
	KTEST_EXPECT_EQ(t, find_module("mathlib"), mod);
	KTEST_EXPECT_EQ(t, mod->region[MOD_TEXT].base, base);
	KTEST_EXPECT_EQ(t, delete_module("nosuchmodule"), -ENOENT);
}

KTEST(module, symbols_name_the_module_of_an_address)
{
	struct module *mod = modtest_load(t, "mathlib");
	unsigned long gcd = modtest_export(mod, "mathlib_gcd");
	char modname[KSYM_MODULE_NAME_LEN] = "", namebuf[KSYM_NAME_LEN], buf[96];
	unsigned long off = 0, size = 0;
	const char *name;

	KTEST_ASSERT_NE(t, gcd, 0UL);
	name = symbols_lookup_mod(gcd + 3, &off, &size, modname, namebuf);
	KTEST_ASSERT_NOT_NULL(t, name);
	KTEST_EXPECT_STREQ(t, name, "mathlib_gcd");
	KTEST_EXPECT_STREQ(t, modname, "mathlib");
	KTEST_EXPECT_EQ(t, off, 3UL);
	snprintf(buf, sizeof(buf), "%pS", (void *)(gcd + 3));
	KTEST_EXPECT_EQ(t, strncmp(buf, "mathlib_gcd+0x3/0x", 18), 0);
	KTEST_EXPECT_TRUE(t, modtest_contains(buf, " [mathlib]"));
	/* A kernel address has no module name. */
	KTEST_EXPECT_NOT_NULL(t, symbols_lookup_mod((unsigned long)ktest_run, &off, &size, modname,
						    namebuf));
	KTEST_EXPECT_STREQ(t, modname, "");
}

KTEST(module, module_areas_name_the_loader_as_their_caller)
{
	struct module *mod = modtest_load(t, "vmstress");
	struct vm_struct *area = find_vm_area((void *)mod->region[MOD_TEXT].base);
	const char *name;

	KTEST_ASSERT_NOT_NULL(t, area);
	name = symbols_lookup((unsigned long)area->caller, NULL, NULL);
	KTEST_ASSERT_NOT_NULL(t, name);
	KTEST_EXPECT_TRUE(t, !strncmp(name, "module_", 7) || modtest_contains(name, "load_module"));
	KTEST_EXPECT_TRUE(t, (unsigned long)area->addr >= MODULES_VADDR &&
				     (unsigned long)area->addr < MODULES_END);
}

/* _module_crash: a fault inside a module that no test expects, for its oops. */
KTEST(_module_crash, fault_inside_a_module)
{
	struct module *mod = modtest_load(t, "faulty");
	void (*write_text)(void) = (void (*)(void))modtest_export(mod, "faulty_write_text");

	KTEST_ASSERT_NOT_NULL(t, write_text);
	write_text();
}

/* Where GDB stops once the modules are in (tests/e2e/modules_gdb.sh). */
__noinline void module_test_loaded(struct module *mod);
__noinline void module_test_loaded(struct module *mod)
{
	__asm__ __volatile__("" : : "r"(mod) : "memory");
}

KTEST(_module_gdb, break_in_a_module_function)
{
	struct module *mod;
	unsigned long (*run)(unsigned long, unsigned long);

	modtest_load(t, "mathlib");
	mod = modtest_load(t, "mathuser");
	module_test_loaded(mod);
	run = (unsigned long (*)(unsigned long, unsigned long))modtest_export(mod, "mathuser_run");
	KTEST_ASSERT_NOT_NULL(t, run);
	KTEST_EXPECT_EQ(t, run(12, 18), 6014UL); /* gcd 6, isqrt(216) 14 */
	/* Once more after an unload: contig-symbols drops mathuser's symbols. */
	KTEST_EXPECT_EQ(t, delete_module("mathuser"), 0);
	module_test_loaded(NULL);
}
