/*
 * Kernel page faults. There is no user space and no demand paging: every
 * kernel page fault is a bug, unless a trap hook claims it (a self-test
 * that asked for it). The report
 * names what the address is -- NULL page, a vmalloc guard page or unmapped
 * vmalloc space (with the area and its allocating caller), a direct-map
 * hole -- decodes the error code, shows the page walk, and oopses.
 */
#include "asm/pgtable.h"
#include "asm/processor.h"
#include "asm/traps.h"
#include "kernel/printk.h"
#include "mm/vmalloc.h"

static void show_fault_walk(unsigned long addr)
{
	enum pt_level at;

	printk(KERN_EMERG "page walk for %#lx:", addr);
	for (enum pt_level level = PT_PGD; level < PT_LEVELS; level++) {
		u64 e = *pt_walk(addr, level, &at);

		printk(KERN_CONT " %s %llx", pt_levels[at].name, (unsigned long long)e);
		if (!(e & _PAGE_PRESENT) || pt_entry_leaf(e, at))
			break;
	}
	printk(KERN_CONT "\n");
}

static const char *fault_region(unsigned long addr)
{
	if (addr < PAGE_SIZE)
		return "NULL pointer dereference";
	if (addr >= PAGE_OFFSET && addr < PAGE_OFFSET + direct_map_size)
		return "direct map (no RAM there)";
	if (addr >= VMEMMAP_START && addr < VMEMMAP_START + VMEMMAP_SIZE)
		return "vmemmap (no struct page there)";
	if (addr >= __START_KERNEL_map && addr < MODULES_VADDR)
		return "kernel image";
	if (addr < 0x0000800000000000UL)
		return "user/low address (nothing is mapped there)";
	return NULL;
}

void do_page_fault(struct pt_regs *regs, unsigned long cr2)
{
	unsigned long err = regs->error_code;
	const char *region;
	char desc[192];

	if (trap_hook_fault(regs, cr2))
		return; /* claimed: resume where the hook said */

	if (is_vmalloc_or_module_addr((void *)cr2) &&
	    vmalloc_describe_fault(cr2, desc, sizeof(desc)))
		printk(KERN_EMERG "BUG: unable to handle page fault at %#lx: %s\n", cr2, desc);
	else if ((region = fault_region(cr2)))
		printk(KERN_EMERG "BUG: unable to handle page fault at %#lx: %s\n", cr2, region);
	else
		printk(KERN_EMERG "BUG: unable to handle page fault at %#lx\n", cr2);
	printk(KERN_EMERG "#PF: supervisor %s in kernel mode\n",
	       (err & X86_PF_INSTR)   ? "instruction fetch"
	       : (err & X86_PF_WRITE) ? "write access"
				      : "read access");
	printk(KERN_EMERG "#PF: error_code(%#06lx) - %s%s%s\n", err,
	       (err & X86_PF_PROT) ? "permissions violation" : "not-present page",
	       (err & X86_PF_RSVD) ? ", reserved bit set" : "",
	       (err & X86_PF_USER) ? ", user mode" : "");
	show_fault_walk(cr2);
	die("page fault", regs);
}
