/*
 * Kernel page faults. There is no user space and no demand paging: every
 * kernel page fault is a bug, unless a trap hook claims it (a self-test
 * that asked for it). The report
 * names what the address is -- NULL page, a vmalloc guard page or unmapped
 * vmalloc space (with the area and its allocating caller), the guard hole
 * after vmalloc, a direct-map hole or a write to its read-only part --
 * decodes the error code, shows the page walk, and oopses.
 */
#include "asm/pgtable.h"
#include "asm/processor.h"
#include "asm/traps.h"
#include "kernel/printk.h"
#include "lib/vsprintf.h"
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

/* A fault in the direct map: a protection fault hit RAM, a missing page did not. */
static const char *fault_direct_map(unsigned long err)
{
	if (!(err & X86_PF_PROT))
		return "direct map (no RAM there)";
	if (err & X86_PF_WRITE)
		return "direct map (write to a read-only page)";
	if (err & X86_PF_INSTR)
		return "direct map (instruction fetch from an NX page)";
	return "direct map (protection fault)";
}

static const char *fault_region(unsigned long addr, unsigned long err)
{
	if (addr < PAGE_SIZE)
		return "NULL pointer dereference";
	if (addr >= PAGE_OFFSET && addr < PAGE_OFFSET + direct_map_size)
		return fault_direct_map(err);
	if (addr >= VMEMMAP_START && addr < VMEMMAP_START + VMEMMAP_SIZE)
		return "vmemmap (no struct page there)";
	if (addr >= __START_KERNEL_map && addr < MODULES_VADDR)
		return "kernel image";
	if (addr < 0x0000800000000000UL)
		return "user/low address (nothing is mapped there)";
	return NULL;
}

/* The hole between vmalloc and vmemmap, with the area that ends at its start if any. */
static void fault_guard_hole(char *buf, size_t len)
{
	char area[160];

	if (vmalloc_describe_fault(VMALLOC_END, area, sizeof(area)))
		snprintf(buf, len, "guard hole after vmalloc; just below: %s", area);
	else
		snprintf(buf, len, "guard hole after vmalloc");
}

bool fault_describe(unsigned long addr, unsigned long err, char *buf, size_t len)
{
	const char *region;

	if (is_vmalloc_or_module_addr((void *)addr) && vmalloc_describe_fault(addr, buf, len))
		return true;
	if (addr > VMALLOC_END && addr < VMEMMAP_START) {
		fault_guard_hole(buf, len);
		return true;
	}
	region = fault_region(addr, err);
	if (!region)
		return false;
	snprintf(buf, len, "%s", region);
	return true;
}

/*
 * read_kernel_nofault(): one load that may fault. A page fault at
 * nofault_load resumes at nofault_fixup, which returns -EFAULT (14); this
 * works in any context, interrupt handlers included (an IPI reading for
 * another CPU).
 */
__asm__(".pushsection .text\n"
	".globl read_kernel_nofault\n"
	".type read_kernel_nofault, @function\n"
	"read_kernel_nofault:\n"
	"nofault_load:\n"
	"	movq (%rdi), %rax\n"
	"	movq %rax, (%rsi)\n"
	"	xorl %eax, %eax\n"
	"	ret\n"
	"nofault_fixup:\n"
	"	movl $-14, %eax\n"
	"	ret\n"
	".size read_kernel_nofault, . - read_kernel_nofault\n"
	".popsection\n");

static bool fault_fixup(struct pt_regs *regs)
{
	extern const char nofault_load[], nofault_fixup[];

	if (regs->rip != (unsigned long)nofault_load)
		return false;
	regs->rip = (unsigned long)nofault_fixup;
	return true;
}

void do_page_fault(struct pt_regs *regs, unsigned long cr2)
{
	unsigned long err = regs->error_code;
	char desc[256];

	if (fault_fixup(regs))
		return; /* an expected fault: the load's fixup returns -EFAULT */
	if (trap_hook_fault(regs, cr2))
		return; /* claimed: resume where the hook said */

	if (fault_describe(cr2, err, desc, sizeof(desc)))
		printk(KERN_EMERG "BUG: unable to handle page fault at %#lx: %s\n", cr2, desc);
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
