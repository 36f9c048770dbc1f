/*
 * The interactive console: a "contig> " prompt on COM1 from which a person
 * can look at memory and drive the allocators by hand.
 *
 *   UART --IRQ 4--> console_serial_irq() --> rx_ring --> console_getc()
 *                                                          |  empty: sti; hlt
 *   read_line(): echo, backspace, ^U, ^C, up/down history  v
 *   console_execute(): split into words --> commands[] --> cmd_*()
 *
 * Input is interrupt driven: the IRQ handler moves bytes from the UART into
 * rx_ring and the console halts whenever the ring is empty, so an idle
 * console costs no CPU. The idle loop is also vmalloc's safe point for work
 * deferred by vfree_atomic().
 *
 * Output: the console's own messages go straight to the serial port (they
 * are answers, not kernel log); the dumps are the kernel's own *_dump()
 * functions, printed through printk with the console log level raised for
 * the duration of the command so that they are always seen.
 *
 * Safety: every argument is parsed and range-checked before anything
 * changes, and a refused command changes nothing. peek/poke check every page
 * they touch in the page tables first. vfree/iounmap accept only areas this
 * console made (con_areas[]): freeing memory the kernel itself uses would be
 * a use-after-free waiting to happen.
 *
 * Locking: [I] written by the IRQ handler only; [C] console context only,
 * with interrupts off where the IRQ handler also looks.
 */
#include "asm/io.h"
#include "asm/irqflags.h"
#include "asm/pgtable.h"
#include "asm/pic.h"
#include "asm/processor.h"
#include "asm/ptdump.h"
#include "asm/qemu.h"
#include "asm/serial.h"
#include "asm/traps.h"
#include "debug/bench.h"
#include "debug/console.h"
#include "kernel/errno.h"
#include "debug/ktest.h"
#include "kernel/multiboot2.h"
#include "kernel/printk.h"
#include "lib/string.h"
#include "lib/vsprintf.h"
#include "mm/layout.h"
#include "mm/memblock.h"
#include "mm/page_alloc.h"
#include "mm/slab.h"
#include "mm/vmalloc.h"

#define CONSOLE_PROMPT	   "contig> "
#define CONSOLE_LINE_MAX   128 /* bytes per line, NUL included */
#define CONSOLE_MAX_ARGS   8
#define CONSOLE_HISTORY	   16  /* lines kept for up/down */
#define CONSOLE_MAX_AREAS  64  /* areas the console made and may free */
#define CONSOLE_SERIAL_IRQ 4   /* COM1 */
#define RX_RING_SIZE	   256 /* a power of two */

#define COM1_IER     0x3f9 /* interrupt enable register */
#define UART_IER_RDI 0x01  /* interrupt when a byte is received */

#define PEEK_DEFAULT_LEN   64
#define PEEK_MAX_LEN	   4096
#define IOREMAP_MAX_SIZE   (1UL << 30)
#define VMALLOC_MAX_ALIGN  (1UL << 30)
#define KERNEL_SPACE_START 0xffff800000000000UL

#define KEY_CTRL_C 0x03
#define KEY_BS	   0x08
#define KEY_CTRL_U 0x15
#define KEY_ESC	   0x1b
#define KEY_DEL	   0x7f

/* ---------------------------------------------------------------------- */
/* Input: the UART interrupt fills a ring, the console empties it.         */

static u8 rx_ring[RX_RING_SIZE];   /* [I] bytes at [rx_tail, rx_head) */
static unsigned int rx_head;	   /* [I] */
static unsigned int rx_tail;	   /* [C] */
static unsigned long rx_dropped;   /* [I] bytes lost to a full ring */
static unsigned long rx_bytes;	   /* [I] */
static unsigned long idle_wakeups; /* [C] times hlt returned */
static bool rx_irq_on;		   /* [C] false: polled fallback */

/* Move every byte the UART holds into the ring. Interrupts are off. */
static void console_rx_drain(void)
{
	int c;

	while ((c = serial_getc_nonblock()) >= 0) {
		if (rx_head - READ_ONCE(rx_tail) >= RX_RING_SIZE) {
			rx_dropped++;
			continue;
		}
		rx_ring[rx_head % RX_RING_SIZE] = (u8)c;
		WRITE_ONCE(rx_head, rx_head + 1);
		rx_bytes++;
	}
}

static void console_serial_irq(struct pt_regs *regs __unused)
{
	console_rx_drain();
}

/*
 * The next input byte. With the ring empty the CPU halts until an interrupt:
 * "sti; hlt" enables interrupts only after hlt has started, so an interrupt
 * that arrives after the check still wakes it.
 */
static int console_getc(void)
{
	int c;

	for (;;) {
		vfree_deferred_run(); /* vmalloc's safe point */
		local_irq_disable();
		/* A byte the UART took before its interrupt was on has no edge to wake us. */
		console_rx_drain();
		if (rx_tail != READ_ONCE(rx_head)) {
			c = rx_ring[rx_tail % RX_RING_SIZE];
			rx_tail++;
			local_irq_enable();
			return c;
		}
		if (!rx_irq_on) {
			local_irq_enable();
			cpu_relax();
			continue;
		}
		__asm__ __volatile__("sti; hlt" ::: "memory");
		idle_wakeups++;
	}
}

/* ---------------------------------------------------------------------- */
/* Output.                                                                 */

static __printf(1, 2) void con_printf(const char *fmt, ...)
{
	char buf[256];
	va_list args;
	int n;

	va_start(args, fmt);
	n = vscnprintf(buf, sizeof(buf), fmt, args);
	va_end(args);
	serial_write(buf, n);
}

static void con_puts(const char *s)
{
	serial_write(s, strlen(s));
}

/* ---------------------------------------------------------------------- */
/* Line editing and history.                                               */

static char history[CONSOLE_HISTORY][CONSOLE_LINE_MAX]; /* [C] ring of lines */
static unsigned int history_count;			/* [C] lines ever added */

/* The line @back entries before the newest (0 = newest), or NULL. */
static const char *history_get(unsigned int back)
{
	unsigned int kept = min(history_count, (unsigned int)CONSOLE_HISTORY);

	if (back >= kept)
		return NULL;
	return history[(history_count - 1 - back) % CONSOLE_HISTORY];
}

static void history_add(const char *line)
{
	const char *last = history_get(0);

	if (!line[0] || (last && !strcmp(last, line)))
		return;
	strlcpy(history[history_count % CONSOLE_HISTORY], line, CONSOLE_LINE_MAX);
	history_count++;
}

struct line_editor {
	char buf[CONSOLE_LINE_MAX];
	unsigned int len;
	int hist_pos;		      /* -1: the new line; k: history_get(k) shown */
	char saved[CONSOLE_LINE_MAX]; /* the new line while browsing history */
	int esc_state;		      /* 0, 1 after ESC, 2 inside "ESC [" or "ESC O" */
	bool last_cr;		      /* swallow the \n of a \r\n */
};

static void line_erase(struct line_editor *ed)
{
	while (ed->len) {
		con_puts("\b \b");
		ed->len--;
	}
	ed->buf[0] = '\0';
}

static void line_set(struct line_editor *ed, const char *text)
{
	line_erase(ed);
	ed->len = strlcpy(ed->buf, text, sizeof(ed->buf));
	if (ed->len >= sizeof(ed->buf))
		ed->len = sizeof(ed->buf) - 1;
	serial_write(ed->buf, ed->len);
}

/* Up (@older) or down through the history. */
static void line_history(struct line_editor *ed, bool older)
{
	int pos = ed->hist_pos + (older ? 1 : -1);
	const char *text;

	if (pos < -1 || (older && !history_get(pos))) {
		serial_putc('\a');
		return;
	}
	if (ed->hist_pos == -1)
		strlcpy(ed->saved, ed->buf, sizeof(ed->saved));
	text = pos == -1 ? ed->saved : history_get(pos);
	ed->hist_pos = pos;
	line_set(ed, text);
}

/* ESC [ A / ESC O A is up, ... B is down; other sequences are swallowed. */
static void line_escape(struct line_editor *ed, int c)
{
	if (ed->esc_state == 1) {
		ed->esc_state = (c == '[' || c == 'O') ? 2 : 0;
		return;
	}
	if ((c >= '0' && c <= '9') || c == ';')
		return; /* parameters of the sequence */
	ed->esc_state = 0;
	if (c == 'A')
		line_history(ed, true);
	else if (c == 'B')
		line_history(ed, false);
}

static void line_insert(struct line_editor *ed, char c)
{
	if (ed->len + 1 >= sizeof(ed->buf)) {
		serial_putc('\a'); /* full */
		return;
	}
	ed->buf[ed->len++] = c;
	ed->buf[ed->len] = '\0';
	serial_putc(c);
}

/*
 * Feed one byte to the editor. Returns 1 when a line is complete (in
 * ed->buf), -1 when it was cancelled with ^C, 0 otherwise.
 */
static int line_key(struct line_editor *ed, int c)
{
	bool after_cr = ed->last_cr;

	ed->last_cr = c == '\r';
	if (ed->esc_state) {
		line_escape(ed, c);
		return 0;
	}
	if (c == '\r' || c == '\n') {
		if (c == '\n' && after_cr)
			return 0; /* the second half of \r\n */
		serial_putc('\n');
		return 1;
	}
	switch (c) {
	case KEY_BS:
	case KEY_DEL:
		if (ed->len) {
			ed->buf[--ed->len] = '\0';
			con_puts("\b \b");
		}
		return 0;
	case KEY_CTRL_U:
		line_erase(ed);
		return 0;
	case KEY_CTRL_C:
		con_puts("^C\n");
		return -1;
	case KEY_ESC:
		ed->esc_state = 1;
		return 0;
	}
	if (c >= 0x20 && c < 0x7f)
		line_insert(ed, (char)c);
	return 0;
}

/* Read one line into @buf (CONSOLE_LINE_MAX bytes), with the prompt. */
static void read_line(char *buf)
{
	struct line_editor ed;
	int done;

	memset(&ed, 0, sizeof(ed));
	ed.hist_pos = -1;
	con_puts(CONSOLE_PROMPT);
	for (;;) {
		done = line_key(&ed, console_getc());
		if (done > 0)
			break;
		if (done < 0) {
			memset(&ed, 0, sizeof(ed));
			ed.hist_pos = -1;
			con_puts(CONSOLE_PROMPT);
		}
	}
	strlcpy(buf, ed.buf, CONSOLE_LINE_MAX);
}

/* ---------------------------------------------------------------------- */
/* Arguments. Each parser prints its own one-line message on failure.      */

static int parse_addr(const char *cmd, const char *what, const char *s, unsigned long *res)
{
	int err = kstrtoul(s, 16, res);

	if (err)
		con_printf("%s: %s '%s' is %s\n", cmd, what, s,
			   err == -ERANGE ? "more than 64 bits" : "not a hex address");
	return err ? -EINVAL : 0;
}

static int parse_size(const char *cmd, const char *what, const char *s, unsigned long *res)
{
	int err = memparse(s, res);

	if (err)
		con_printf("%s: %s '%s' is %s\n", cmd, what, s,
			   err == -ERANGE ? "too large"
					  : "not a size (e.g. 4096, 64k, 2M, 0x1000)");
	return err ? -EINVAL : 0;
}

static int parse_number(const char *cmd, const char *what, const char *s, unsigned long *res)
{
	int err = kstrtoul(s, 0, res);

	if (err)
		con_printf("%s: %s '%s' is %s\n", cmd, what, s,
			   err == -ERANGE ? "more than 64 bits" : "not a number");
	return err ? -EINVAL : 0;
}

/* ---------------------------------------------------------------------- */
/* Areas made from the console: the only ones vfree/iounmap will free.     */

enum con_area_kind {
	CON_AREA_NONE,
	CON_AREA_VMALLOC,
	CON_AREA_VMAP,
	CON_AREA_IOREMAP
};

struct con_area {
	enum con_area_kind kind;
	void *addr;	     /* what the allocator returned */
	struct page **pages; /* vmap: pages the console allocated */
	unsigned int nr_pages;
};

static struct con_area con_areas[CONSOLE_MAX_AREAS]; /* [C] */

static struct con_area *con_area_slot(const char *cmd)
{
	for (int i = 0; i < CONSOLE_MAX_AREAS; i++)
		if (con_areas[i].kind == CON_AREA_NONE)
			return &con_areas[i];
	con_printf("%s: the console already holds %d areas; free some first\n", cmd,
		   CONSOLE_MAX_AREAS);
	return NULL;
}

/* The console's record of the area that @area is, or NULL. */
static struct con_area *con_area_of(const struct vm_struct *area)
{
	for (int i = 0; i < CONSOLE_MAX_AREAS; i++) {
		struct con_area *ca = &con_areas[i];

		if (ca->kind != CON_AREA_NONE &&
		    ((unsigned long)ca->addr & PAGE_MASK) == (unsigned long)area->addr)
			return ca;
	}
	return NULL;
}

/* "16 pages at 0x..-0x.., guard page 0x..-0x.." for a fresh area. */
static void con_show_area(const char *cmd, const void *ret, const struct vm_struct *area)
{
	unsigned long start = (unsigned long)area->addr;
	unsigned long usable = get_vm_area_size(area);

	con_printf("%s: 0x%016lx: %lu page%s at 0x%016lx-0x%016lx", cmd, (unsigned long)ret,
		   usable >> PAGE_SHIFT, usable == PAGE_SIZE ? "" : "s", start, start + usable);
	if (area->flags & VM_NO_GUARD)
		con_puts(", no guard page\n");
	else
		con_printf(", guard page 0x%016lx-0x%016lx\n", start + usable, start + area->size);
}

/* ---------------------------------------------------------------------- */
/* Address checks for peek, poke and walk.                                 */

static const char *region_name(unsigned long addr)
{
	for (int i = 0; i < NR_MEM_REGIONS; i++)
		if (mem_regions[i].name && addr >= mem_regions[i].start &&
		    addr < mem_regions[i].end)
			return mem_regions[i].name;
	return NULL;
}

/* Say why @addr cannot be touched: not canonical, a guard page, a hole... */
static void con_refuse_addr(const char *cmd, unsigned long addr)
{
	char why[192];
	const char *region = region_name(addr);

	if (!ptdump_addr_canonical(addr))
		con_printf("%s: 0x%016lx is not a canonical address; refusing\n", cmd, addr);
	else if (is_vmalloc_or_module_addr((void *)addr) &&
		 vmalloc_describe_fault(addr, why, sizeof(why)))
		con_printf("%s: 0x%016lx is not mapped (%s); refusing\n", cmd, addr, why);
	else
		con_printf("%s: 0x%016lx is not mapped%s%s; refusing\n", cmd, addr,
			   region ? " in " : "", region ? region : "");
}

/*
 * Is every page of [addr, addr + len) mapped (and writable if @write)?
 * Prints the refusal for the first page that is not.
 */
static bool con_range_accessible(const char *cmd, unsigned long addr, unsigned long len, bool write)
{
	unsigned long last = addr + len - 1;
	enum pg_level level;
	pte_t *pte;

	if (last < addr) {
		con_printf("%s: 0x%016lx + %lu runs past the top of the address space\n", cmd, addr,
			   len);
		return false;
	}
	if (!ptdump_addr_canonical(addr) || !ptdump_addr_canonical(last)) {
		con_refuse_addr(cmd, ptdump_addr_canonical(addr) ? last : addr);
		return false;
	}
	for (unsigned long page = addr & PAGE_MASK;; page += PAGE_SIZE) {
		unsigned long at = page < addr ? addr : page;

		if (!ptdump_addr_canonical(at) || !(pte = lookup_address(at, &level))) {
			con_refuse_addr(cmd, at);
			return false;
		}
		if (write && !(*pte & _PAGE_RW)) {
			con_printf("%s: 0x%016lx is mapped read-only; refusing\n", cmd, at);
			return false;
		}
		if (page >= (last & PAGE_MASK))
			return true;
	}
}

/* ---------------------------------------------------------------------- */
/* Commands.                                                               */

struct console_cmd {
	const char *name;
	const char *args;	/* usage after the name */
	const char *help;	/* one line */
	const char *details;	/* more for `help CMD`, or NULL */
	int min_args, max_args; /* words after the name */
	int (*fn)(int argc, char **argv);
};

static int cmd_help(int argc, char **argv);

static int cmd_layout(int argc, char **argv)
{
	layout_dump();
	return 0;
}

static int cmd_e820(int argc, char **argv)
{
	boot_mmap_dump(&boot_info);
	return 0;
}

static int cmd_memblock(int argc, char **argv)
{
	memblock_dump();
	return 0;
}

static int cmd_meminfo(int argc, char **argv)
{
	meminfo_dump();
	vmalloc_meminfo_dump();
	return 0;
}

static int cmd_buddyinfo(int argc, char **argv)
{
	buddyinfo_dump();
	return 0;
}

static int cmd_slabinfo(int argc, char **argv)
{
	slabinfo_dump();
	return 0;
}

static int cmd_vmallocinfo(int argc, char **argv)
{
	vmallocinfo_dump();
	return 0;
}

static int cmd_vmstat(int argc, char **argv)
{
	vmalloc_stats_dump();
	return 0;
}

static int cmd_check(int argc, char **argv)
{
	int vm = vmalloc_check(), buddy = buddy_check();

	con_printf("check: vmalloc %s, buddy %s\n", vm ? "BROKEN (see above)" : "ok",
		   buddy ? "BROKEN (see above)" : "ok");
	return vm || buddy ? -EINVAL : 0;
}

static int cmd_interrupts(int argc, char **argv)
{
	pic_interrupts_dump();
	con_printf("console: %lu bytes received, %lu dropped, %lu wake-ups from hlt%s\n", rx_bytes,
		   rx_dropped, idle_wakeups, rx_irq_on ? "" : " (polling: no IRQ)");
	return 0;
}

/* END defaults to the end of the region holding START, or of the gap it is in. */
static unsigned long ptdump_default_end(unsigned long start)
{
	unsigned long end = 0;

	for (int i = 0; i < NR_MEM_REGIONS; i++) {
		const struct mem_region *r = &mem_regions[i];

		if (!r->name)
			continue;
		if (start >= r->start && start < r->end)
			return r->end;
		if (r->start > start && (!end || r->start < end))
			end = r->start;
	}
	return end;
}

static int cmd_ptdump(int argc, char **argv)
{
	unsigned long start = KERNEL_SPACE_START, end = 0;

	if (argc > 1 && parse_addr("ptdump", "START", argv[1], &start))
		return -EINVAL;
	if (argc > 2 && parse_addr("ptdump", "END", argv[2], &end))
		return -EINVAL;
	if (!ptdump_addr_canonical(start)) {
		con_printf("ptdump: START 0x%lx is not a canonical address\n", start);
		return -EINVAL;
	}
	if (argc == 2)
		end = ptdump_default_end(start);
	if (end && (end <= start || !ptdump_addr_canonical(end - 1))) {
		con_printf("ptdump: END 0x%lx must be above START 0x%lx and canonical (0 = top)\n",
			   end, start);
		return -EINVAL;
	}
	ptdump_walk(start, end);
	return 0;
}

static int cmd_walk(int argc, char **argv)
{
	unsigned long addr;
	const char *region;
	char what[192];

	if (parse_addr("walk", "ADDR", argv[1], &addr))
		return -EINVAL;
	if (!ptdump_addr_canonical(addr)) {
		con_refuse_addr("walk", addr);
		return -EINVAL;
	}
	region = region_name(addr);
	con_printf("walk: 0x%016lx is in %s\n", addr, region ? region : "no region (a hole)");
	if (is_vmalloc_or_module_addr((void *)addr) &&
	    vmalloc_describe_fault(addr, what, sizeof(what)))
		con_printf("walk: %s\n", what);
	ptdump_show_walk(addr);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Driving the allocators.                                                 */

static int con_vmalloc(const char *cmd, int argc, char **argv, gfp_t gfp)
{
	unsigned long size, align = 0, free = nr_free_pages();
	struct con_area *slot;
	void *p;

	if (parse_size(cmd, "SIZE", argv[1], &size))
		return -EINVAL;
	if (argc > 2 && parse_size(cmd, "ALIGN", argv[2], &align))
		return -EINVAL;
	if (!size || PAGE_ALIGN(size) < size || (PAGE_ALIGN(size) >> PAGE_SHIFT) > free) {
		con_printf("%s: SIZE %#lx is out of range (1 byte to the %lu kB free)\n", cmd, size,
			   free << (PAGE_SHIFT - 10));
		return -EINVAL;
	}
	if (argc > 2 && (!is_power_of_2(align) || align > VMALLOC_MAX_ALIGN)) {
		con_printf("%s: ALIGN %#lx must be a power of two up to 1G\n", cmd, align);
		return -EINVAL;
	}
	slot = con_area_slot(cmd);
	if (!slot)
		return -EINVAL;
	gfp |= GFP_KERNEL | __GFP_NOWARN; /* the console says it itself */
	if (align)
		p = __vmalloc_node_range(size, align, VMALLOC_START, VMALLOC_END, gfp, PAGE_KERNEL,
					 0, -1, (const void *)_THIS_IP_);
	else
		p = __vmalloc(size, gfp);
	if (!p) {
		con_printf("%s: allocation of %#lx bytes failed (out of memory or vmalloc space)\n",
			   cmd, size);
		return -ENOMEM;
	}
	slot->kind = CON_AREA_VMALLOC;
	slot->addr = p;
	con_show_area(cmd, p, find_vm_area(p));
	return 0;
}

static int cmd_vmalloc(int argc, char **argv)
{
	return con_vmalloc("vmalloc", argc, argv, 0);
}

static int cmd_vzalloc(int argc, char **argv)
{
	return con_vmalloc("vzalloc", argc, argv, __GFP_ZERO);
}

static void con_show_pfns(const char *cmd, struct page **pages, unsigned long n)
{
	con_printf("%s: page frames", cmd);
	for (unsigned long i = 0; i < n && i < 8; i++)
		con_printf(" %#lx", page_to_pfn(pages[i]));
	con_puts(n > 8 ? " ...\n" : "\n");
}

static int cmd_vmap(int argc, char **argv)
{
	unsigned long n, i, free = nr_free_pages();
	struct con_area *slot;
	struct page **pages;
	void *p;

	if (parse_number("vmap", "N", argv[1], &n))
		return -EINVAL;
	if (!n || n > free || n > 0xffffffffUL) {
		con_printf("vmap: N %lu is out of range (1 to the %lu free pages)\n", n, free);
		return -EINVAL;
	}
	slot = con_area_slot("vmap");
	if (!slot)
		return -EINVAL;
	pages = kcalloc(n, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		goto out_nomem;
	for (i = 0; i < n; i++) {
		pages[i] = alloc_page(GFP_KERNEL);
		if (!pages[i])
			goto out_free_pages;
	}
	p = vmap(pages, n, 0, PAGE_KERNEL);
	if (!p)
		goto out_free_pages;
	slot->kind = CON_AREA_VMAP;
	slot->addr = p;
	slot->pages = pages;
	slot->nr_pages = n;
	con_show_area("vmap", p, find_vm_area(p));
	con_show_pfns("vmap", pages, n);
	return 0;

out_free_pages:
	while (i--)
		__free_page(pages[i]);
	kfree(pages);
out_nomem:
	con_printf("vmap: out of memory mapping %lu pages\n", n);
	return -ENOMEM;
}

/* Physical address bits of this CPU: ioremap beyond them would set reserved bits. */
static unsigned int phys_addr_bits(void)
{
	u32 a, b, c, d;

	if (boot_cpu.max_ext_leaf < 0x80000008)
		return 36;
	cpuid(0x80000008, 0, &a, &b, &c, &d);
	return a & 0xff;
}

/* The first RAM page frame in [phys, last], or -1. */
static unsigned long first_ram_pfn(unsigned long phys, unsigned long last)
{
	for (unsigned long pfn = PHYS_PFN(phys); pfn <= PHYS_PFN(last); pfn++)
		if (pfn_valid(pfn))
			return pfn;
	return -1UL;
}

static int cmd_ioremap(int argc, char **argv)
{
	unsigned long phys, size, last, pfn;
	unsigned int bits = phys_addr_bits();
	struct con_area *slot;
	void *p;

	if (parse_addr("ioremap", "PHYS", argv[1], &phys) ||
	    parse_size("ioremap", "SIZE", argv[2], &size))
		return -EINVAL;
	if (!size || size > IOREMAP_MAX_SIZE) {
		con_printf("ioremap: SIZE %#lx is out of range (1 byte to 1G)\n", size);
		return -EINVAL;
	}
	last = phys + size - 1;
	if (last < phys || (bits < 64 && last >> bits)) {
		con_printf(
			"ioremap: phys %#lx + %#lx is beyond the CPU's %u-bit physical addresses\n",
			phys, size, bits);
		return -EINVAL;
	}
	pfn = first_ram_pfn(phys, last);
	if (pfn != -1UL) {
		con_printf("ioremap: phys %#lx-%#lx holds RAM (pfn %#lx), already in the direct "
			   "map; refusing\n",
			   phys, last, pfn);
		return -EINVAL;
	}
	slot = con_area_slot("ioremap");
	if (!slot)
		return -EINVAL;
	p = ioremap(phys, size);
	if (!p) {
		con_printf("ioremap: mapping phys %#lx-%#lx failed (see above)\n", phys, last);
		return -ENOMEM;
	}
	slot->kind = CON_AREA_IOREMAP;
	slot->addr = p;
	con_show_area("ioremap", p, find_vm_area(p));
	con_printf("ioremap: phys %#lx-%#lx, uncached\n", phys, last);
	return 0;
}

/*
 * The area that starts at @addr, which the console made, or NULL with a
 * message saying what @addr is instead.
 */
static struct con_area *con_find_own_area(const char *cmd, unsigned long addr)
{
	struct vm_struct *area;
	struct con_area *ca;
	char what[192];

	if (!ptdump_addr_canonical(addr) || !is_vmalloc_or_module_addr((void *)addr)) {
		con_printf("%s: 0x%lx is not a vmalloc address (vmalloc is 0x%lx-0x%lx)\n", cmd,
			   addr, VMALLOC_START, VMALLOC_END + 1);
		return NULL;
	}
	area = find_vm_area((void *)addr);
	if (!area) {
		if (vmalloc_describe_fault(addr, what, sizeof(what)))
			con_printf("%s: no vm area at 0x%lx (%s)\n", cmd, addr, what);
		else
			con_printf("%s: no vm area at 0x%lx\n", cmd, addr);
		return NULL;
	}
	if ((unsigned long)area->addr != addr) {
		vmalloc_describe_fault(addr, what, sizeof(what));
		con_printf("%s: 0x%lx is not the start of an area (%s)\n", cmd, addr, what);
		return NULL;
	}
	ca = con_area_of(area);
	if (!ca) {
		con_printf("%s: the area at 0x%lx belongs to %pS, not to this console; refusing\n",
			   cmd, addr, area->caller);
		return NULL;
	}
	return ca;
}

static void con_area_release(struct con_area *ca)
{
	memset(ca, 0, sizeof(*ca));
}

static int cmd_vfree(int argc, char **argv)
{
	struct con_area *ca;
	struct vm_struct *area;
	unsigned long addr, start, end;

	if (parse_addr("vfree", "ADDR", argv[1], &addr))
		return -EINVAL;
	ca = con_find_own_area("vfree", addr);
	if (!ca)
		return -EINVAL;
	if (ca->kind == CON_AREA_IOREMAP) {
		con_printf("vfree: 0x%lx is an ioremap area: use iounmap\n", addr);
		return -EINVAL;
	}
	area = find_vm_area(ca->addr);
	start = (unsigned long)area->addr;
	end = start + area->size;
	if (ca->kind == CON_AREA_VMAP) {
		vunmap(ca->addr);
		for (unsigned int i = 0; i < ca->nr_pages; i++)
			__free_page(ca->pages[i]);
		kfree(ca->pages);
		con_printf("vfree: unmapped 0x%016lx-0x%016lx and freed its %u pages\n", start, end,
			   ca->nr_pages);
	} else {
		vfree(ca->addr);
		con_printf("vfree: freed 0x%016lx-0x%016lx\n", start, end);
	}
	con_area_release(ca);
	return 0;
}

static int cmd_iounmap(int argc, char **argv)
{
	struct con_area *ca;
	unsigned long addr;

	if (parse_addr("iounmap", "ADDR", argv[1], &addr))
		return -EINVAL;
	/* ioremap() returns the address of PHYS, which may be inside the first page. */
	for (int i = 0; i < CONSOLE_MAX_AREAS; i++)
		if (con_areas[i].kind == CON_AREA_IOREMAP &&
		    (unsigned long)con_areas[i].addr == addr)
			addr &= PAGE_MASK;
	ca = con_find_own_area("iounmap", addr);
	if (!ca)
		return -EINVAL;
	if (ca->kind != CON_AREA_IOREMAP) {
		con_printf("iounmap: 0x%lx is not an ioremap area: use vfree\n", addr);
		return -EINVAL;
	}
	iounmap(ca->addr);
	con_printf("iounmap: unmapped 0x%016lx\n", addr);
	con_area_release(ca);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Looking at memory.                                                      */

/* Print as Linux's hex dump: "address: 16 bytes in hex  ascii". */
static void con_hexdump(unsigned long addr, unsigned long len)
{
	const volatile u8 *p = (const volatile u8 *)addr;

	for (unsigned long off = 0; off < len; off += 16) {
		unsigned long n = min(16UL, len - off);
		char hex[16 * 3 + 1], ascii[17];
		size_t pos = 0;

		for (unsigned long i = 0; i < 16; i++) {
			u8 b = i < n ? p[off + i] : 0;

			pos += scnprintf(hex + pos, sizeof(hex) - pos, i < n ? " %02x" : "   ", b);
			ascii[i] = i >= n ? '\0' : (b >= 0x20 && b < 0x7f) ? (char)b : '.';
		}
		ascii[16] = '\0';
		con_printf("%016lx:%s  %s\n", addr + off, hex, ascii);
	}
}

static int cmd_peek(int argc, char **argv)
{
	unsigned long addr, len = PEEK_DEFAULT_LEN;

	if (parse_addr("peek", "ADDR", argv[1], &addr))
		return -EINVAL;
	if (argc > 2 && parse_size("peek", "LEN", argv[2], &len))
		return -EINVAL;
	if (!len || len > PEEK_MAX_LEN) {
		con_printf("peek: LEN %lu is out of range (1 to %d)\n", len, PEEK_MAX_LEN);
		return -EINVAL;
	}
	if (!con_range_accessible("peek", addr, len, false))
		return -EINVAL;
	con_hexdump(addr, len);
	return 0;
}

static unsigned long con_read(unsigned long addr, unsigned long width)
{
	switch (width) {
	case 1:
		return *(volatile u8 *)addr;
	case 2:
		return *(volatile u16 *)addr;
	case 4:
		return *(volatile u32 *)addr;
	default:
		return *(volatile u64 *)addr;
	}
}

static void con_write(unsigned long addr, unsigned long width, unsigned long v)
{
	switch (width) {
	case 1:
		*(volatile u8 *)addr = (u8)v;
		break;
	case 2:
		*(volatile u16 *)addr = (u16)v;
		break;
	case 4:
		*(volatile u32 *)addr = (u32)v;
		break;
	default:
		*(volatile u64 *)addr = v;
	}
}

static int cmd_poke(int argc, char **argv)
{
	unsigned long addr, value, width = 8, old;

	if (parse_addr("poke", "ADDR", argv[1], &addr) ||
	    parse_number("poke", "VALUE", argv[2], &value))
		return -EINVAL;
	if (argc > 3 && parse_number("poke", "WIDTH", argv[3], &width))
		return -EINVAL;
	if (width != 1 && width != 2 && width != 4 && width != 8) {
		con_printf("poke: WIDTH %lu must be 1, 2, 4 or 8 bytes\n", width);
		return -EINVAL;
	}
	if (width < 8 && (value >> (width * 8))) {
		con_printf("poke: VALUE %#lx does not fit in %lu byte%s\n", value, width,
			   width == 1 ? "" : "s");
		return -EINVAL;
	}
	if (!con_range_accessible("poke", addr, width, true))
		return -EINVAL;
	old = con_read(addr, width);
	con_write(addr, width, value);
	con_printf("poke: 0x%016lx: 0x%0*lx -> 0x%0*lx (%lu bytes)\n", addr, (int)width * 2, old,
		   (int)width * 2, con_read(addr, width), width);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Tests, benchmarks, log, power.                                          */

/* Letters, digits, '_' and ','; no suite that starts with '_' (they crash on purpose). */
static bool ktest_spec_ok(const char *spec)
{
	for (const char *p = spec; *p; p++) {
		bool word_start = p == spec || p[-1] == ',';

		if (word_start && *p == '_') {
			con_printf("ktest: '%s': suites starting with '_' crash the kernel on "
				   "purpose; not from the console\n",
				   spec);
			return false;
		}
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == ',')) {
			con_printf("ktest: SUITE '%s' may hold only letters, digits, '_' and ','\n",
				   spec);
			return false;
		}
	}
	return true;
}

static int cmd_ktest(int argc, char **argv)
{
	const char *spec = argc > 1 ? argv[1] : "all";
	unsigned long flags;
	int failed;

	if (!ktest_spec_ok(spec))
		return -EINVAL;
	local_irq_save(flags); /* as at boot: the tests may expect it */
	failed = ktest_run(spec);
	local_irq_restore(flags);
	con_printf("ktest: %s\n", failed ? "FAILED or no such suite (see above)" : "all passed");
	return failed ? -EINVAL : 0;
}

static int cmd_bench(int argc, char **argv)
{
	unsigned long flags;
	int ret;

	local_irq_save(flags);
	ret = bench_run(argc > 1 ? argv[1] : "all");
	local_irq_restore(flags);
	return ret ? -EINVAL : 0;
}

static int cmd_dmesg(int argc, char **argv)
{
	dmesg_dump();
	return 0;
}

static int cmd_reboot(int argc, char **argv)
{
	con_puts("reboot: restarting the machine\n");
	machine_restart();
}

static int cmd_poweroff(int argc, char **argv)
{
	con_puts("poweroff: powering off\n");
	machine_power_off();
}

/* ---------------------------------------------------------------------- */
/* The command table and the loop.                                         */

static const struct console_cmd commands[] = {
	{ "help", "[CMD]", "list the commands, or show how to use CMD", NULL, 0, 1, cmd_help },
	{ "layout", "", "the boot-time virtual memory layout", NULL, 0, 0, cmd_layout },
	{ "e820", "", "the firmware memory map (BIOS-e820 lines)", NULL, 0, 0, cmd_e820 },
	{ "memmap", "", "the firmware memory map (same as e820)", NULL, 0, 0, cmd_e820 },
	{ "memblock", "", "memblock's memory and reserved regions", NULL, 0, 0, cmd_memblock },
	{ "meminfo", "", "memory totals, as /proc/meminfo", NULL, 0, 0, cmd_meminfo },
	{ "buddyinfo", "", "free blocks per order, as /proc/buddyinfo", NULL, 0, 0, cmd_buddyinfo },
	{ "slabinfo", "", "the slab caches, as /proc/slabinfo", NULL, 0, 0, cmd_slabinfo },
	{ "vmallocinfo", "", "every vmalloc area, as /proc/vmallocinfo", NULL, 0, 0,
	  cmd_vmallocinfo },
	{ "vmstat", "", "vmalloc counters: areas, lazy purges, TLB flushes", NULL, 0, 0,
	  cmd_vmstat },
	{ "check", "", "check the vmalloc trees and the buddy free lists", NULL, 0, 0, cmd_check },
	{ "interrupts", "", "interrupt counts per IRQ line, as /proc/interrupts", NULL, 0, 0,
	  cmd_interrupts },
	{ "ptdump", "[START [END]]", "page-table dump, ranges merged by attributes",
	  "With no START the whole kernel half; with START alone, up to the end of its region. END "
	  "is exclusive, 0 = the top.",
	  0, 2, cmd_ptdump },
	{ "walk", "ADDR", "walk the page tables for ADDR, level by level", NULL, 1, 1, cmd_walk },
	{ "vmalloc", "SIZE [ALIGN]", "vmalloc SIZE bytes (ALIGN: a power of two)",
	  "Prints the address, the pages and the guard page; free it with vfree.", 1, 2,
	  cmd_vmalloc },
	{ "vzalloc", "SIZE", "vmalloc SIZE zeroed bytes", NULL, 1, 1, cmd_vzalloc },
	{ "vfree", "ADDR", "free an area that vmalloc, vzalloc or vmap made here",
	  "Areas the kernel made itself are refused: freeing them would break their owner.", 1, 1,
	  cmd_vfree },
	{ "vmap", "N", "allocate N pages one by one and vmap them", NULL, 1, 1, cmd_vmap },
	{ "ioremap", "PHYS SIZE", "map device memory at PHYS uncached (no RAM)", NULL, 2, 2,
	  cmd_ioremap },
	{ "iounmap", "ADDR", "unmap an area that ioremap made here", NULL, 1, 1, cmd_iounmap },
	{ "peek", "ADDR [LEN]", "hex dump of LEN bytes (default 64, at most 4096)",
	  "Every page is checked in the page tables first: unmapped and guard pages are refused.",
	  1, 2, cmd_peek },
	{ "poke", "ADDR VALUE [WIDTH]", "write VALUE as WIDTH bytes (1, 2, 4, default 8)",
	  "Refused unless every byte is mapped writable.", 2, 3, cmd_poke },
	{ "ktest", "[SUITE]", "run the self-tests (all, or SUITE[,SUITE])", NULL, 0, 1, cmd_ktest },
	{ "bench", "[SCENARIO]", "run the benchmarks (all, or SCENARIO)", NULL, 0, 1, cmd_bench },
	{ "dmesg", "", "print the kernel log buffer", NULL, 0, 0, cmd_dmesg },
	{ "reboot", "", "restart the machine", NULL, 0, 0, cmd_reboot },
	{ "poweroff", "", "power the machine off", NULL, 0, 0, cmd_poweroff },
};
static const unsigned int nr_commands = ARRAY_SIZE(commands);
static const struct console_cmd *find_command(const char *name)
{
	for (unsigned int i = 0; i < nr_commands; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static void show_usage(const struct console_cmd *c)
{
	con_printf("usage: %s%s%s\n", c->name, c->args[0] ? " " : "", c->args);
}

static int cmd_help(int argc, char **argv)
{
	const struct console_cmd *c;

	if (argc == 2) {
		c = find_command(argv[1]);
		if (!c) {
			con_printf("help: no command '%s' (type 'help' for the list)\n", argv[1]);
			return -EINVAL;
		}
		show_usage(c);
		con_printf("  %s\n", c->help);
		if (c->details)
			con_printf("  %s\n", c->details);
		return 0;
	}
	con_puts("Commands (sizes take k/M/G suffixes or 0x; addresses are hex):\n");
	for (unsigned int i = 0; i < nr_commands; i++)
		con_printf("  %-11s %-18s %s\n", commands[i].name, commands[i].args,
			   commands[i].help);
	con_puts("Keys: backspace, ^U erases the line, ^C cancels it, up/down for history.\n");
	return 0;
}

/* Split @line in place into words; -1 when there are too many. */
static int split_words(char *line, char **argv)
{
	int argc = 0;

	for (char *p = line;;) {
		while (*p == ' ' || *p == '\t')
			*p++ = '\0';
		if (!*p)
			return argc;
		if (argc == CONSOLE_MAX_ARGS)
			return -1;
		argv[argc++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
	}
}

int console_execute(char *line)
{
	char *argv[CONSOLE_MAX_ARGS + 1];
	const struct console_cmd *c;
	int argc = split_words(line, argv), level = console_loglevel, ret;
	bool enabled = console_enabled;

	if (argc < 0) {
		con_printf("%s: too many words (at most %d)\n", argv[0], CONSOLE_MAX_ARGS);
		return -EINVAL;
	}
	if (!argc)
		return 0;
	argv[argc] = NULL;
	c = find_command(argv[0]);
	if (!c) {
		con_printf("%s: unknown command (type 'help' for the list)\n", argv[0]);
		return -EINVAL;
	}
	if (argc - 1 < c->min_args || argc - 1 > c->max_args) {
		con_printf("%s: %s arguments; ", c->name,
			   argc - 1 < c->min_args ? "missing" : "too many");
		show_usage(c);
		return -EINVAL;
	}
	/* The dumps print at KERN_INFO: make sure the person sees them. */
	console_loglevel = max(level, CONSOLE_LOGLEVEL_DEFAULT);
	console_enabled = true;
	ret = c->fn(argc, argv);
	console_loglevel = level;
	console_enabled = enabled;
	return ret;
}

static void console_irq_setup(void)
{
	pic_init();
	if (request_irq(CONSOLE_SERIAL_IRQ, console_serial_irq)) {
		pr_err("console: no IRQ %d for COM1, polling instead\n", CONSOLE_SERIAL_IRQ);
		local_irq_enable();
		return;
	}
	outb(COM1_IER, UART_IER_RDI);
	rx_irq_on = true;
	irq_enable(CONSOLE_SERIAL_IRQ);
	local_irq_enable();
}

void console_run(void)
{
	char line[CONSOLE_LINE_MAX];

	console_irq_setup();
	con_puts("\nContig console on COM1 (IRQ 4). Type 'help' for the commands.\n");
	for (;;) {
		read_line(line);
		history_add(line);
		console_execute(line);
	}
}
