/*
 * Console commands that look at memory through the page tables: peek (hex
 * dump), poke (write), walk (one address, level by level) and ptdump
 * (ranges merged by attributes).
 *
 * Safety: peek and poke check every page they touch in the page tables
 * before touching it, and refuse unmapped pages, guard pages and holes
 * with a line saying which; poke also needs the page writable. A refused
 * command has touched nothing.
 */
#include "asm/pgtable.h"
#include "asm/ptdump.h"
#include "debug/console/internal.h"
#include "kernel/errno.h"
#include "lib/vsprintf.h"
#include "mm/layout.h"
#include "mm/vmalloc.h"

#define PEEK_DEFAULT_LEN   64
#define PEEK_MAX_LEN	   4096
#define KERNEL_SPACE_START 0xffff800000000000UL

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

	if (argc > 1 && con_parse("ptdump", "START", argv[1], CON_ADDR, &start))
		return -EINVAL;
	if (argc > 2 && con_parse("ptdump", "END", argv[2], CON_ADDR, &end))
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
CONSOLE_CMD(ptdump, "[START [END]]", "page-table dump, ranges merged by attributes", cmd_ptdump,
	    .max_args = 2,
	    .details = "With no START the whole kernel half; with START alone, up to the end of its "
		       "region. END is exclusive, 0 = the top.");

static int cmd_walk(int argc, char **argv)
{
	unsigned long addr;
	const char *region;
	char what[192];

	if (con_parse("walk", "ADDR", argv[1], CON_ADDR, &addr))
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
CONSOLE_CMD(walk, "ADDR", "walk the page tables for ADDR, level by level", cmd_walk, .min_args = 1,
	    .max_args = 1);

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

	if (con_parse("peek", "ADDR", argv[1], CON_ADDR, &addr))
		return -EINVAL;
	if (argc > 2 && con_parse("peek", "LEN", argv[2], CON_SIZE, &len))
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
CONSOLE_CMD(peek, "ADDR [LEN]", "hex dump of LEN bytes (default 64, at most 4096)", cmd_peek,
	    .min_args = 1, .max_args = 2,
	    .details = "Every page is checked in the page tables first: unmapped and guard pages "
		       "are refused.");

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

	if (con_parse("poke", "ADDR", argv[1], CON_ADDR, &addr) ||
	    con_parse("poke", "VALUE", argv[2], CON_NUMBER, &value))
		return -EINVAL;
	if (argc > 3 && con_parse("poke", "WIDTH", argv[3], CON_NUMBER, &width))
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
CONSOLE_CMD(poke, "ADDR VALUE [WIDTH]", "write VALUE as WIDTH bytes (1, 2, 4, default 8)", cmd_poke,
	    .min_args = 2, .max_args = 3,
	    .details = "VALUE is decimal or 0x hex. Refused unless every byte is mapped writable.");
