/*
 * Self-tests of the CPUID decoding (arch/x86/kernel/cpu.c), fed with
 * values no real CPU here returns: a MAXPHYADDR above the architecture's
 * 52 bits, and a leaf 0x80000000 answer outside the extended range.
 */
#include "debug/ktest.h"

#include "asm/processor.h"

/* Bug: EAX[7:0] of 0x80000008 was believed up to 255 bits. */
KTEST(cpu, phys_bits_above_52_are_capped)
{
	KTEST_EXPECT_EQ(t, cpu_phys_bits_from(0x80000008, 0xff), 52U);
	KTEST_EXPECT_EQ(t, cpu_phys_bits_from(0x80000008, 53), 52U);
	KTEST_EXPECT_EQ(t, cpu_phys_bits_from(0x80000008, 52), 52U);
	KTEST_EXPECT_EQ(t, cpu_phys_bits_from(0x80000008, 0x3028),
			40U); /* qemu64: 48 virt, 40 phys */
	KTEST_EXPECT_EQ(t, cpu_phys_bits_from(0x80000008, 0x3000),
			(unsigned int)CPU_PHYS_BITS_DEFAULT);
	KTEST_EXPECT_EQ(t, cpu_phys_bits_from(0x80000007, 40), (unsigned int)CPU_PHYS_BITS_DEFAULT);
}

/* Bug: any leaf 0x80000000 answer was taken as the highest extended leaf. */
KTEST(cpu, insane_extended_leaf_range_is_ignored)
{
	KTEST_EXPECT_EQ(t, cpu_sane_ext_leaf(0x80000008), 0x80000008U);
	KTEST_EXPECT_EQ(t, cpu_sane_ext_leaf(0x8000ffff), 0x8000ffffU);
	KTEST_EXPECT_EQ(t, cpu_sane_ext_leaf(0x00000d01), 0U); /* a basic leaf echoed back */
	KTEST_EXPECT_EQ(t, cpu_sane_ext_leaf(0x80010000), 0U);
	KTEST_EXPECT_EQ(t, cpu_sane_ext_leaf(0xffffffff), 0U);
	KTEST_EXPECT_EQ(t, cpu_phys_bits_from(0xffffffff, 40), (unsigned int)CPU_PHYS_BITS_DEFAULT);
	KTEST_EXPECT_EQ(t, cpu_sane_ext_leaf(boot_cpu.max_ext_leaf), boot_cpu.max_ext_leaf);
	KTEST_EXPECT_LE(t, boot_cpu.phys_bits, 52);
}
