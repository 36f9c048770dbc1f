/*
 * The VGA text screen, mapped as the kernel's first vmalloc-area resident:
 * an early area registered with vm_area_register_early() before vmalloc
 * exists (seed 001), mapped uncached like an ioremap, and imported into
 * the vmap_area trees by vmalloc_init(). If the mapping fails (no memory
 * for a page table), the area is unregistered again: no dump lists a
 * screen that is not there. Once mapped it is a printk
 * console sink ("vga"): the kernel log scrolls up the screen, so a crashed
 * kernel says why (the panic line) even without a serial cable.
 *
 * Only when the boot loader left a text screen (GRUB's framebuffer tag of
 * EGA text type, under BIOS): under UEFI there is a graphics mode or nothing
 * at 0xb8000, and then the screen is neither registered nor written.
 *
 * Text is kept in a shadow copy in RAM; the screen, which is device memory
 * (each access a trip through the emulator), is only ever written, and
 * only the rows that changed, or everything after a scroll.
 */
#include "asm/memtype.h"
#include "asm/pgtable.h"
#include "asm/vga.h"
#include "kernel/multiboot2.h"
#include "kernel/printk.h"
#include "lib/string.h"
#include "mm/vmalloc.h"

#define VGA_TEXT_PHYS 0xb8000UL
#define VGA_COLS      80
#define VGA_ROWS      25
#define VGA_ATTR      0x0700 /* light grey on black */

static struct vm_struct vga_vm;
static u16 *vga_text;
static u16 vga_shadow[VGA_ROWS][VGA_COLS];
static unsigned int vga_row, vga_col; /* where the next character goes */

static void vga_scroll(void)
{
	memmove(vga_shadow[0], vga_shadow[1], sizeof(vga_shadow) - sizeof(vga_shadow[0]));
	for (unsigned int c = 0; c < VGA_COLS; c++)
		vga_shadow[VGA_ROWS - 1][c] = VGA_ATTR | ' ';
}

static void vga_flush_rows(unsigned int first, unsigned int last)
{
	volatile u16 *screen = vga_text;

	for (unsigned int r = first; r <= last; r++)
		for (unsigned int c = 0; c < VGA_COLS; c++)
			screen[r * VGA_COLS + c] = vga_shadow[r][c];
}

static void vga_newline(bool *scrolled)
{
	vga_col = 0;
	if (vga_row + 1 < VGA_ROWS) {
		vga_row++;
		return;
	}
	vga_scroll();
	*scrolled = true;
}

static void vga_console_write(const char *s, size_t len)
{
	unsigned int first = vga_row;
	bool scrolled = false;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n') {
			vga_newline(&scrolled);
			continue;
		}
		if (vga_col == VGA_COLS)
			vga_newline(&scrolled);
		vga_shadow[vga_row][vga_col++] = VGA_ATTR | (u8)s[i];
	}
	vga_flush_rows(scrolled ? 0 : first, vga_row);
}

static struct console vga_console = {
	.name = "vga",
	.write = vga_console_write,
};

/* One boot line saying why there is no text screen. */
static void vga_report_absent(const struct boot_info *bi)
{
	static const char *const kinds[] = { "indexed colour", "RGB", "EGA text" };
	const struct boot_framebuffer *fb = &bi->fb;

	if (!bi->has_framebuffer) {
		pr_info("vga: no framebuffer from the boot loader, no text screen: the kernel log goes to serial only\n");
		return;
	}
	pr_info("vga: the boot loader left a %ux%ux%u %s framebuffer at %#llx, no text screen: the kernel log goes to serial only\n",
		fb->width, fb->height, fb->bpp, fb->type < 3 ? kinds[fb->type] : "unknown",
		(unsigned long long)fb->addr);
}

void vga_early_map(void)
{
	int err;

	if (!boot_has_text_screen(&boot_info) || boot_info.fb.addr != VGA_TEXT_PHYS) {
		vga_report_absent(&boot_info);
		return;
	}
	vga_vm.size = 2 * PAGE_SIZE; /* the page and its guard */
	vga_vm.flags = VM_IOREMAP;
	vga_vm.phys_addr = VGA_TEXT_PHYS;
	vga_vm.caller = __builtin_return_address(0);
	vm_area_register_early(&vga_vm, PAGE_SIZE);
	if (!vga_vm.addr) {
		pr_warn("vga: no early vm area for the text screen, serial only\n");
		return;
	}
	/* Like any ioremap(): a later mapping of the screen must agree on its cache mode. */
	err = memtype_reserve(VGA_TEXT_PHYS, VGA_TEXT_PHYS + PAGE_SIZE,
			      memtype_of_prot(PAGE_KERNEL_NOCACHE), "vga", vga_vm.caller);
	if (err)
		goto out_unregister;
	err = vmap_range((unsigned long)vga_vm.addr, (unsigned long)vga_vm.addr + PAGE_SIZE,
			 VGA_TEXT_PHYS, PAGE_KERNEL_NOCACHE);
	if (err)
		goto out_free_memtype; /* vmap_range() left nothing mapped */
	vga_text = vga_vm.addr;
	for (unsigned int r = 0; r < VGA_ROWS; r++)
		for (unsigned int c = 0; c < VGA_COLS; c++)
			vga_shadow[r][c] = VGA_ATTR | ' ';
	vga_flush_rows(0, VGA_ROWS - 1);
	register_console(&vga_console);
	return;

out_free_memtype:
	memtype_free(VGA_TEXT_PHYS, VGA_TEXT_PHYS + PAGE_SIZE);
out_unregister:
	/* Give the range back, unlisted: nothing is left of the screen. */
	pr_warn("vga: mapping %#lx at %p failed (%d), serial only\n", VGA_TEXT_PHYS, vga_vm.addr,
		err);
	vm_area_unregister_early(&vga_vm);
}
