/* The VGA text screen (arch/x86/kernel/vga.c). */
#ifndef ASM_VGA_H
#define ASM_VGA_H

/* Register and map the screen as an early vm area; call between paging_init()
 * and vmalloc_init(). Without a text screen from the boot loader (UEFI) it
 * prints one line saying so and does nothing else. */
void vga_early_map(void);
/* Show @msg on the top line (panic). Does nothing before vga_early_map(). */
void vga_write_top_line(const char *msg);

#endif /* ASM_VGA_H */
