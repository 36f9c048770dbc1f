/*
 * The VGA text screen, mapped as the kernel's first vmalloc-area resident:
 * an early area registered with vm_area_register_early() before vmalloc
 * exists (seed 001), mapped uncached like an ioremap, and imported into
 * the vmap_area trees by vmalloc_init(). panic() writes its reason on the
 * top line, so a crashed kernel says why even without a serial cable.
 *
 * Only when the boot loader left a text screen (GRUB's framebuffer tag of
 * EGA text type, under BIOS): under UEFI there is a graphics mode or nothing
 * at 0xb8000, and then the screen is neither registered nor written.
 */
#include "asm/pgtable.h"
#include "asm/vga.h"
#include "kernel/multiboot2.h"
#include "kernel/printk.h"
#include "lib/string.h"
#include "mm/vmalloc.h"

#define VGA_TEXT_PHYS  0xb8000UL
#define VGA_COLS       80
#define VGA_ATTR_PANIC 0x4f00 /* white on red */

static struct vm_struct vga_vm;
static u16 *vga_text;

/* One boot line saying why there is no text screen. */
static void vga_report_absent(const struct boot_info *bi)
{
	static const char *const kinds[] = { "indexed colour", "RGB", "EGA text" };
	const struct boot_framebuffer *fb = &bi->fb;

	if (!bi->has_framebuffer) {
		pr_info("vga: no framebuffer from the boot loader, no text screen: panic reports go to serial only\n");
		return;
	}
	pr_info("vga: the boot loader left a %ux%ux%u %s framebuffer at %#llx, no text screen: panic reports go to serial only\n",
		fb->width, fb->height, fb->bpp, fb->type < 3 ? kinds[fb->type] : "unknown",
		(unsigned long long)fb->addr);
}

void vga_early_map(void)
{
	if (!boot_has_text_screen(&boot_info) || boot_info.fb.addr != VGA_TEXT_PHYS) {
		vga_report_absent(&boot_info);
		return;
	}
	vga_vm.size = 2 * PAGE_SIZE; /* the page and its guard */
	vga_vm.flags = VM_IOREMAP;
	vga_vm.phys_addr = VGA_TEXT_PHYS;
	vga_vm.caller = __builtin_return_address(0);
	vm_area_register_early(&vga_vm, PAGE_SIZE);
	if (!vga_vm.addr)
		return;
	if (vmap_range((unsigned long)vga_vm.addr, (unsigned long)vga_vm.addr + PAGE_SIZE,
		       VGA_TEXT_PHYS, PAGE_KERNEL_NOCACHE)) {
		pr_warn("vga: cannot map the text screen\n");
		return;
	}
	vga_text = vga_vm.addr;
}

/* Write @msg on the top line of the screen, in panic colours. */
void vga_write_top_line(const char *msg)
{
	size_t i, n = strlen(msg);

	if (!vga_text)
		return;
	for (i = 0; i < VGA_COLS; i++)
		vga_text[i] = VGA_ATTR_PANIC | (u8)(i < n ? msg[i] : ' ');
}
