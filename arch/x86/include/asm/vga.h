/* The VGA text screen (arch/x86/kernel/vga.c): a printk console sink. */
#ifndef ASM_VGA_H
#define ASM_VGA_H

/* Register and map the screen as an early vm area, then register it as the
 * "vga" console; call between paging_init() and vmalloc_init(). Without a
 * text screen from the boot loader (UEFI) it prints one line saying so and
 * does nothing else. */
void vga_early_map(void);

#endif /* ASM_VGA_H */
