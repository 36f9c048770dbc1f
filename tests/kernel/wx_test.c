/*
 * Self-tests of W^X beyond the image's own mapping: the direct-map aliases
 * of the kernel's text and rodata are read-only (arch/x86/mm/init.c), and
 * the W+X checker (ptdump_count_wx()) counts exactly the insecure pages: a
 * W+X page made on purpose with set_memory_x(), and a writable alias of
 * code made on purpose by flipping alias ptes (restored before the end).
 */
#include "debug/ktest.h"

#include "asm/pgtable.h"
#include "asm/ptdump.h"
#include "asm/set_memory.h"
#include "asm/traps.h"
#include "lib/string.h"
#include "mm/page.h"
#include "mm/vmalloc.h"

extern char _text[], _etext[], _rodata[], _erodata[], _end[];

static const u32 wx_rodata_probe = 0x5a5a5a5a;
static volatile u32 wx_data_probe = 7;

static __noinline int wx_text_probe(void)
{
	return 42;
}

/* The direct-map alias of the image address @sym. */
static volatile u8 *wx_alias(const volatile void *sym)
{
	return __va(__pa_symbol(sym));
}

/* The 4 KiB pte of @addr, or NULL when it is unmapped or in a large page. */
static pte_t *wx_pte(unsigned long addr)
{
	enum pg_level level;
	pte_t *pte = lookup_address(addr, &level);

	return pte && level == PG_LEVEL_4K ? pte : NULL;
}

KTEST(wx, boot_mappings_have_no_wx_page_and_no_writable_alias_of_code)
{
	struct ptdump_wx wx;

	ptdump_count_wx(&wx, true);
	KTEST_EXPECT_EQ(t, wx.wx_pages, 0UL);
	KTEST_EXPECT_EQ(t, wx.alias_pages, 0UL);
	KTEST_EXPECT_EQ(t, ptdump_check_wx(), 0UL);
}

KTEST(wx, direct_map_alias_of_text_is_read_only)
{
	volatile u8 *alias = wx_alias((const void *)wx_text_probe);
	u8 byte = *alias;
	pte_t *pte;

	KTEST_EXPECT_EQ(t, byte, *(volatile u8 *)wx_text_probe);
	KTEST_EXPECT_FAULT(t, *alias = byte); /* the same byte: harmless if it lands */
	KTEST_EXPECT_EQ(t, t->fault_addr, (unsigned long)alias);
	pte = wx_pte((unsigned long)alias);
	KTEST_ASSERT_NOT_NULL(t, pte);
	KTEST_EXPECT_EQ(t, *pte & (_PAGE_RW | _PAGE_NX), _PAGE_NX);
	KTEST_EXPECT_EQ(t, wx_text_probe(), 42);
}

KTEST(wx, direct_map_alias_of_rodata_is_read_only)
{
	volatile u8 *alias = wx_alias(&wx_rodata_probe);
	volatile u32 *data_alias = (volatile u32 *)wx_alias(&wx_data_probe);
	u8 byte = *alias;
	pte_t *pte;

	KTEST_EXPECT_TRUE(t, (const char *)&wx_rodata_probe >= _rodata &&
				     (const char *)&wx_rodata_probe < _erodata);
	KTEST_EXPECT_FAULT(t, *alias = byte);
	KTEST_EXPECT_EQ(t, t->fault_addr, (unsigned long)alias);
	pte = wx_pte((unsigned long)alias);
	KTEST_ASSERT_NOT_NULL(t, pte);
	KTEST_EXPECT_EQ(t, *pte & (_PAGE_RW | _PAGE_NX), _PAGE_NX);
	KTEST_EXPECT_EQ(t, READ_ONCE(wx_rodata_probe), 0x5a5a5a5aU);
	/* Data stays writable through its alias. */
	*data_alias = 8;
	KTEST_EXPECT_EQ(t, wx_data_probe, 8U);
	wx_data_probe = 7;
}

/* Every frame of the image: a 4 KiB alias, ro+NX for text and rodata, RW+NX after. */
KTEST(wx, direct_map_alias_of_image_has_section_protections)
{
	unsigned long ro_end = PAGE_ALIGN((unsigned long)_erodata), bad = 0, first = 0;

	for (unsigned long va = (unsigned long)_text; va < (unsigned long)_end; va += PAGE_SIZE) {
		pte_t *pte = wx_pte((unsigned long)wx_alias((void *)va));
		u64 want = va < ro_end ? _PAGE_NX : _PAGE_RW | _PAGE_NX;

		if (!pte ||
		    (*pte & (_PAGE_RW | _PAGE_NX | _PAGE_PRESENT)) != (want | _PAGE_PRESENT)) {
			if (!bad++)
				first = va;
		}
	}
	KTEST_EXPECT_EQ(t, bad, 0UL);
	KTEST_EXPECT_EQ(t, first, 0UL);
}

/* The direct-map alias of the vmalloc page at @p. */
static unsigned long wx_vmalloc_alias(const void *p)
{
	return (unsigned long)page_address(vmalloc_to_page(p));
}

/*
 * A page made W+X on purpose is counted, alone and at its address, and so
 * is its direct-map alias (still RW, like the page); read-only, neither is
 * (set_memory_ro() takes the alias along), unless the alias is made
 * writable behind set_memory's back; NX again, none is.
 */
KTEST(wx, checker_counts_a_deliberate_wx_page)
{
	char *p = vmalloc(PAGE_SIZE);
	unsigned long a = (unsigned long)p;
	struct ptdump_wx wx;
	pte_t *alias;

	KTEST_ASSERT_NOT_NULL(t, p);
	ptdump_count_wx(&wx, false);
	KTEST_EXPECT_EQ(t, wx.wx_pages, 0UL);
	KTEST_EXPECT_EQ(t, wx.alias_pages, 0UL);
	KTEST_EXPECT_EQ(t, set_memory_x(a, 1), 0);
	ptdump_count_wx(&wx, true);
	KTEST_EXPECT_EQ(t, wx.wx_pages, 1UL);
	KTEST_EXPECT_EQ(t, wx.first_wx, a);
	KTEST_EXPECT_EQ(t, wx.alias_pages, 1UL);
	KTEST_EXPECT_EQ(t, wx.first_alias, wx_vmalloc_alias(p));
	KTEST_EXPECT_EQ(t, set_memory_ro(a, 1), 0); /* now read-only and executable */
	ptdump_count_wx(&wx, false);
	KTEST_EXPECT_EQ(t, wx.wx_pages, 0UL);
	KTEST_EXPECT_EQ(t, wx.alias_pages, 0UL);
	alias = wx_pte(wx_vmalloc_alias(p));
	KTEST_ASSERT_NOT_NULL(t, alias);
	*alias |= _PAGE_RW; /* a stray write to the page tables */
	ptdump_count_wx(&wx, false);
	*alias &= ~_PAGE_RW;
	flush_tlb_all();
	KTEST_EXPECT_EQ(t, wx.alias_pages, 1UL);
	KTEST_EXPECT_EQ(t, set_memory_nx(a, 1), 0);
	ptdump_count_wx(&wx, false);
	KTEST_EXPECT_EQ(t, wx.alias_pages, 0UL);
	vfree(p);
}

/*
 * Bug: the checker looked for writable aliases only under the kernel image,
 * so a module page made read-only and executable, whose direct-map alias
 * could still rewrite its code, passed as "wx ok". set_memory_rox() makes
 * the alias read-only now, so the test makes it writable by hand.
 */
KTEST(wx, checker_counts_writable_alias_of_rox_module_page)
{
	u8 *p = __vmalloc_node_range(PAGE_SIZE, 1, MODULES_VADDR, MODULES_END,
				     GFP_KERNEL | __GFP_NOWARN, PAGE_KERNEL, VM_FLUSH_RESET_PERMS,
				     -1, __builtin_return_address(0));
	unsigned long a = (unsigned long)p;
	struct ptdump_wx before, rox, stray;
	pte_t *alias;

	KTEST_ASSERT_NOT_NULL(t, p);
	ptdump_count_wx(&before, false);
	KTEST_EXPECT_EQ(t, set_memory_rox(a, 1), 0);
	ptdump_count_wx(&rox, false);
	alias = wx_pte(wx_vmalloc_alias(p));
	KTEST_ASSERT_NOT_NULL(t, alias);
	*alias |= _PAGE_RW;
	ptdump_count_wx(&stray, true);
	*alias &= ~_PAGE_RW;
	flush_tlb_all();
	KTEST_EXPECT_EQ(t, set_memory_nx(a, 1), 0);
	KTEST_EXPECT_EQ(t, set_memory_rw(a, 1), 0);
	KTEST_EXPECT_EQ(t, rox.wx_pages, before.wx_pages);
	KTEST_EXPECT_EQ(t, rox.alias_pages, before.alias_pages);
	KTEST_EXPECT_EQ(t, stray.alias_pages, before.alias_pages + 1);
	KTEST_EXPECT_EQ(t, stray.first_alias, wx_vmalloc_alias(p));
	vfree(p);
}

/* Two alias ptes of text flipped writable: the checker counts two more pages. */
KTEST(wx, checker_counts_writable_alias_of_text)
{
	unsigned long alias = (unsigned long)wx_alias(_text);
	pte_t *pte[2] = { wx_pte(alias), wx_pte(alias + PAGE_SIZE) };
	struct ptdump_wx before, flipped, after;

	KTEST_ASSERT_NOT_NULL(t, pte[0]);
	KTEST_ASSERT_NOT_NULL(t, pte[1]);
	KTEST_ASSERT_TRUE(t, _text + 2 * PAGE_SIZE <= _etext);
	ptdump_count_wx(&before, false);
	*pte[0] |= _PAGE_RW;
	*pte[1] |= _PAGE_RW;
	flush_tlb_kernel_range(alias, alias + 2 * PAGE_SIZE);
	ptdump_count_wx(&flipped, true);
	*pte[0] &= ~_PAGE_RW;
	*pte[1] &= ~_PAGE_RW;
	flush_tlb_kernel_range(alias, alias + 2 * PAGE_SIZE);
	ptdump_count_wx(&after, false);
	KTEST_EXPECT_EQ(t, flipped.alias_pages, before.alias_pages + 2);
	KTEST_EXPECT_EQ(t, flipped.first_alias, alias);
	KTEST_EXPECT_EQ(t, flipped.wx_pages, before.wx_pages);
	KTEST_EXPECT_EQ(t, after.alias_pages, before.alias_pages);
	KTEST_EXPECT_EQ(t, after.alias_pages, 0UL);
}

/*
 * Bug: the oops called a write to the read-only alias of .text "direct map
 * (no RAM there)", though the page is RAM and present: the error code's
 * protection bit tells the two apart.
 */
KTEST(wx, fault_on_read_only_alias_is_not_called_no_ram)
{
	volatile u8 *alias = wx_alias((const void *)wx_text_probe);
	char desc[256];
	u8 byte = *alias;

	KTEST_EXPECT_FAULT(t, *alias = byte);
	KTEST_ASSERT_EQ(t, t->fault_addr, (unsigned long)alias);
	KTEST_ASSERT_TRUE(t, fault_describe(t->fault_addr, X86_PF_PROT | X86_PF_WRITE, desc,
					    sizeof(desc)));
	KTEST_EXPECT_STREQ(t, desc, "direct map (write to a read-only page)");
	KTEST_ASSERT_TRUE(t, fault_describe(t->fault_addr, 0, desc, sizeof(desc)));
	KTEST_EXPECT_STREQ(t, desc, "direct map (no RAM there)");
}
