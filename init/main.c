/*
 * kmain: the boot sequence, in order. Each step hands the next a narrower
 * interface and nothing reaches back up (DESIGN.md, "Data flow at boot").
 */
#include "asm/apic.h"
#include "asm/page.h"
#include "asm/apic_timer.h"
#include "asm/ioapic.h"
#include "asm/pic.h"
#include "asm/pgtable.h"
#include "asm/processor.h"
#include "asm/ptdump.h"
#include "asm/qemu.h"
#include "asm/serial.h"
#include "asm/traps.h"
#include "asm/tsc.h"
#include "asm/vga.h"
#include "asm/desc.h"
#include "asm/smp.h"
#include "debug/bench.h"
#include "kernel/acpi.h"
#include "kernel/boot_modules.h"
#include "kernel/cmdline.h"
#include "kernel/lockdep.h"
#include "kernel/spinlock.h"
#include "debug/console.h"
#include "debug/ktest.h"
#include "kernel/multiboot2.h"
#include "kernel/panic.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/workqueue.h"
#include "lib/string.h"
#include "mm/layout.h"
#include "mm/memblock.h"
#include "mm/page_alloc.h"
#include "mm/slab.h"
#include "mm/vmalloc.h"

void kmain(u32 magic, u32 mbi_phys);

/* The boot information lies below 4 GiB (GRUB runs in 32-bit mode), all of
 * which the boot page tables map at PAGE_OFFSET. */
#define EARLY_MAPPED_TOP (4UL << 30)

static void boot_parse_info(u32 magic, u32 mbi_phys)
{
	if (magic != MULTIBOOT2_BOOTLOADER_MAGIC)
		panic("boot: bad multiboot2 magic %#x", magic);
	if (multiboot2_parse(__va(mbi_phys), EARLY_MAPPED_TOP - mbi_phys, mbi_phys, &boot_info))
		panic("boot: the multiboot2 information is unusable (see above)");
	pr_info("boot: loaded by %s, command line \"%s\"\n",
		boot_info.loader_name[0] ? boot_info.loader_name : "(unknown)", boot_info.cmdline);
}

static void boot_apply_cmdline(void)
{
	cmdline_parse(boot_info.cmdline, &cmdline_opts);
	if (cmdline_opts.loglevel >= 0)
		console_loglevel = cmdline_opts.loglevel;
	if (cmdline_opts.fail_page_alloc)
		fail_page_alloc_set(cmdline_opts.fail_page_alloc, 1);
	if (cmdline_opts.fail_slab)
		fail_slab_set(cmdline_opts.fail_slab, 1);
	if (cmdline_opts.lazy_max_pages)
		vmalloc_set_lazy_max_pages(cmdline_opts.lazy_max_pages);
	if (cmdline_opts.vmalloc_debug_flush)
		vmalloc_set_debug_flush(true);
	if (cmdline_opts.lockdep)
		lockdep_enable();
	if (cmdline_opts.lock_stat)
		lock_stat_enable();
	if (cmdline_opts.vmalloc_range_size)
		vmalloc_set_size(cmdline_opts.vmalloc_range_size); /* before the layout is fixed */
}

/*
 * The low .boot section (multiboot2 header, 32-bit entry, boot GDT) is dead
 * after gdt_init(), but it stays reserved: QEMU's TCG keeps pages that held
 * executed code write-protected, and a slab placed there made every store
 * to it take the emulator's slow path (5x slower small vmallocs).
 */
static void boot_reserve_boot_section(void)
{
	extern char _boot_start[], _boot_end[];

	memblock_reserve((phys_addr_t)(unsigned long)_boot_start, _boot_end - _boot_start);
}

/*
 * mem=SIZE: as on Linux x86, forget usable RAM at and above physical address
 * SIZE (the map keeps its reserved entries). Useful to test small machines.
 */
static void boot_apply_mem_limit(struct boot_info *bi, u64 limit)
{
	for (unsigned int i = 0; i < bi->nr_mmap; i++) {
		struct boot_mmap_entry *e = &bi->mmap[i];

		if (e->type != MB2_MEMORY_AVAILABLE || e->addr + e->len <= limit)
			continue;
		e->len = e->addr < limit ? limit - e->addr : 0;
	}
	pr_info("mem=: usable RAM limited to below %#llx\n", (unsigned long long)limit);
}

static void boot_report_memory(void)
{
	layout_dump();
	buddyinfo_dump();
	meminfo_dump();
	vmalloc_meminfo_dump();
	pr_info("vmallocinfo:\n");
	vmallocinfo_dump();
}

/*
 * Was there a ktest= word on the command line, even one the parser refused?
 * A run of self-tests must end in a verdict, never at the console.
 */
static bool boot_asked_for_ktest(const char *cmdline)
{
	for (const char *p = cmdline; (p = strchr(p, 'k')); p++)
		if ((p == cmdline || p[-1] == ' ' || p[-1] == '\t') && !strncmp(p, "ktest=", 6))
			return true;
	return false;
}

/* After boot: self-tests, benchmarks, power off, or the console. */
static void __noreturn boot_finish(void)
{
	if (cmdline_opts.ktest[0] || boot_asked_for_ktest(boot_info.cmdline)) {
		int failed;

		if (!cmdline_opts.ktest[0])
			pr_err("ktest: the ktest= value was refused (see above)\n");
		failed = ktest_run(cmdline_opts.ktest);

		qemu_exit(failed ? QEMU_EXIT_FAILURE : QEMU_EXIT_SUCCESS);
	}
	if (cmdline_opts.bench[0]) {
		int failed = bench_run(cmdline_opts.bench);

		qemu_exit(failed ? QEMU_EXIT_FAILURE : QEMU_EXIT_SUCCESS);
	}
	if (cmdline_opts.poweroff) {
		pr_info("poweroff: powering off\n");
		machine_power_off();
	}
	if (cmdline_opts.console)
		console_run();
	pr_info("Boot complete; the console is off (noconsole). In QEMU, Ctrl-A X leaves.\n");
	machine_halt();
}

void kmain(u32 magic, u32 mbi_phys)
{
	serial_init(); /* the console first: every step below may print */
	pr_info("Contig: booting\n");
	gdt_init();			  /* our GDT and the TSS with the IST stacks */
	idt_init();			  /* exceptions are reported from here on */
	pic_init();			  /* 8259A remapped to 0x20-0x2f, all lines masked */
	cpu_init();			  /* CPUID, global pages, PAT */
	tsc_calibrate();		  /* printk timestamps count from here */
	boot_parse_info(magic, mbi_phys); /* multiboot2 tags -> boot_info */
	boot_apply_cmdline();		  /* loglevel=, ktest=, poweroff, fault injection */
	boot_mmap_dump(&boot_info);	  /* the firmware's map, e820 style */
	if (cmdline_opts.mem_limit)
		boot_apply_mem_limit(&boot_info, cmdline_opts.mem_limit); /* mem= */
	memblock_setup(&boot_info);  /* usable RAM minus image, mbi, modules, low 1 MiB */
	boot_reserve_boot_section(); /* the low entry code too */
	if (cmdline_opts.randomize_memory)
		kernel_randomize_memory(); /* move the region bases, keep their order */
	paging_init();			   /* direct map of all RAM, W^X image; identity gone */
	percpu_init();			   /* the template of every other CPU's per-CPU area */
	vmemmap_init();			   /* struct page for every RAM frame */
	memblock_dump();
	memblock_free_all();	     /* every free range to the buddy */
	pgtable_use_buddy();	     /* page tables now come from the buddy */
	kmem_cache_init();	     /* kmalloc size classes */
	vga_early_map();	     /* an early vm area: the VGA text screen */
	vmalloc_init();		     /* vmap_area trees, early areas imported */
	ist_stacks_vmalloc();	     /* #DF and NMI stacks get guard pages */
	sched_init();		     /* the boot flow becomes "init"; CPU 0's idle thread */
	workqueue_init();	     /* kworker/0 */
	layout_init();		     /* the region table from the final bases */
	acpi_init();		     /* RSDP, XSDT/RSDT, MADT: the CPUs and I/O APICs */
	lapic_init();		     /* the boot CPU's local APIC, mapped and enabled */
	ioapic_init();		     /* ISA lines through the I/O APIC, the PICs masked */
	apic_timer_setup_this_cpu(); /* CPU 0's tick (calibrated here) */
	ptdump_check_wx(); /* after the last boot mapping: no W+X page, no writable alias of code */
	smp_init();	   /* start the other CPUs the MADT lists (nosmp, maxcpus=) */
	boot_modules_load(cmdline_opts.modules); /* modules=: GRUB's module images */
	boot_report_memory();			 /* layout, buddyinfo, meminfo, vmallocinfo */
	boot_finish();
}
