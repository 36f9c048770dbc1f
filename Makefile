# Contig: a freestanding x86-64 kernel whose heart is a real vmalloc.
# `make help` lists the targets. One Makefile: objects grouped by directory.

CROSS_COMPILE ?=
CC := $(CROSS_COMPILE)gcc
LD := $(CROSS_COMPILE)ld
NM := $(CROSS_COMPILE)nm
OBJDUMP := $(CROSS_COMPILE)objdump
NASM ?= nasm

O := build
MEM ?= 1G
SMP ?= 1
CMDLINE ?=
FIRMWARE ?= bios
KTEST ?= all
BENCH ?= all
TEST_TIMEOUT ?= 300
FUZZ_TIME ?= 180
FUZZ ?=

CFLAGS := -std=gnu11 -O2 -g -ffreestanding -fno-pic -fno-pie -mcmodel=kernel -mno-red-zone \
	-mno-sse -mno-mmx -mno-sse2 -mgeneral-regs-only -nostdlib -fno-stack-protector \
	-fno-asynchronous-unwind-tables -fno-unwind-tables -fcf-protection=none \
	-fno-omit-frame-pointer -mno-omit-leaf-frame-pointer -fno-optimize-sibling-calls -fno-strict-aliasing \
	-fno-delete-null-pointer-checks -Wall -Wextra -Werror -Wno-unused-parameter \
	-Wmissing-prototypes -Wstrict-prototypes -MMD -MP \
	-Iinclude -Iarch/x86/include -I.
NASMFLAGS := -f elf64
LDFLAGS := --no-warn-rwx-segments -n -nostdlib -z max-page-size=0x1000 -z noexecstack -T linker.ld

boot-y := boot/header.o boot/entry32.o boot/early_paging.o boot/entry64.o

arch-y := arch/x86/kernel/serial.o arch/x86/kernel/gdt.o arch/x86/kernel/idt.o \
	arch/x86/kernel/isr.o arch/x86/kernel/traps.o arch/x86/kernel/cpu.o \
	arch/x86/kernel/qemu_exit.o arch/x86/kernel/ktest_jmp.o \
	arch/x86/mm/pgtable.o arch/x86/mm/init.o arch/x86/mm/fault.o arch/x86/mm/kaslr.o arch/x86/mm/ptdump.o \
	arch/x86/kernel/pic.o arch/x86/kernel/tsc.o arch/x86/kernel/vga.o arch/x86/kernel/reboot.o
arch-y += arch/x86/mm/set_memory.o arch/x86/mm/memtype.o
arch-y += arch/x86/kernel/apic.o
arch-y += arch/x86/kernel/irq.o arch/x86/kernel/ioapic.o arch/x86/kernel/apic_timer.o arch/x86/kernel/ipi.o arch/x86/mm/tlb.o
arch-y += arch/x86/kernel/smpboot.o arch/x86/kernel/trampoline.o
arch-y += arch/x86/kernel/switch.o

init-y := init/main.o

kernel-y := kernel/printk.o kernel/panic.o kernel/symbols.o kernel/multiboot2.o kernel/boot_mmap.o \
	kernel/efi.o kernel/cmdline.o
kernel-y += kernel/deferred.o
kernel-y += kernel/percpu.o
kernel-y += kernel/spinlock.o kernel/lockdep.o
kernel-y += kernel/lock_stat.o
kernel-y += kernel/acpi.o kernel/acpi_tables.o
kernel-y += kernel/boot_modules.o
kernel-y += kernel/sched/core.o kernel/sched/kthread.o kernel/sched/wait.o kernel/workqueue.o
kernel-y += kernel/module/elf.o kernel/module/main.o kernel/module/exports.o

# The floor above the kernel: the tools that drive and watch it. Nothing in
# arch/, mm/, lib/ or kernel/ includes their headers.
debug-y := debug/ktest.o \
	debug/console/console.o debug/console/edit.o debug/console/parse.o debug/console/info.o \
	debug/console/mem.o debug/console/alloc.o debug/console/run.o \
	debug/bench/harness.o debug/bench/scenarios.o debug/bench/floors.o debug/bench/studies.o \
	debug/bench/profile.o
debug-y += debug/console/lockdep.o debug/bench/locks.o
debug-y += debug/console/lockstat.o
debug-y += debug/bench/ipi.o
debug-y += debug/bench/align.o
debug-y += debug/bench/team.o
debug-y += debug/console/cpus.o

debug-y += debug/console/acpi.o
debug-y += debug/console/ps.o
debug-y += debug/console/module.o

lib-y := lib/string.o lib/vsprintf.o lib/rbtree.o lib/sort.o lib/match.o lib/ratelimit.o

mm-y := mm/gfp.o mm/memblock.o mm/vmemmap.o mm/page_alloc.o mm/slab.o mm/vmalloc.o mm/layout.o
mm-y += mm/vmap_block.o

tests-y := $(patsubst %.c,%.o,$(wildcard tests/kernel/*.c))

# The modules the module_load self-test embeds (.incbin): tests/kernel/modules/*.c,
# each one ET_REL object built with the kernel's flags, as a module is.
MLT_MODS := $(patsubst %.c,$(O)/%.ko,$(wildcard tests/kernel/modules/*.c))

OBJS := $(addprefix $(O)/,$(boot-y) $(arch-y) $(init-y) $(kernel-y) $(lib-y) $(mm-y) $(debug-y) $(tests-y))
ELF := $(O)/contig.elf
GDB_SCRIPTS := $(O)/contig.elf-gdb.py $(O)/gdb/contig/constants.py

# The command line reaches the scripts through the environment, as typed:
# $(value) keeps a $ from being expanded by make, and no shell quoting of
# "$(CMDLINE)" can break on a quote inside it. FIRMWARE=uefi boots under OVMF
# (scripts/qemu.sh reads CONTIG_FIRMWARE); SMP=N (1..16) gives QEMU N CPUs in
# every boot, tests included (CONTIG_SMP).
export CONTIG_CMDLINE := $(value CMDLINE)
export CONTIG_FIRMWARE := $(FIRMWARE)
export CONTIG_SMP := $(SMP)

.PHONY: FORCE all iso run test host-build host-test ktest e2e bench bench-linux bench-scaling docs debug debug-server gdb clean deps check help
.PHONY: fuzz-build fuzz
all: $(ELF) $(GDB_SCRIPTS)

# Quiet by default, as in Linux: V=1 shows the commands.
ifeq ($(V),1)
Q :=
say := @true
else
Q := @
say := @printf '  %-7s %s\n'
endif

$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	$(say) CC $<
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(O)/tests/kernel/modules/%.ko: tests/kernel/modules/%.c
	@mkdir -p $(dir $@)
	$(say) CC $<
	$(Q)$(CC) $(CFLAGS) -fno-common -c $< -o $@

$(O)/tests/kernel/module_load_test.o: $(MLT_MODS)
$(O)/tests/kernel/module_load_test.o: CFLAGS += -DMLT_DIR='"$(O)/tests/kernel/modules"'

$(O)/%.o: %.asm
	@mkdir -p $(dir $@)
	$(say) AS $<
	$(Q)$(NASM) $(NASMFLAGS) $< -o $@

# Three links: the symbol table (kallsyms) sits at the end of .rodata, so
# adding it moves nothing in .text; the second table has the size of the
# final one, so the third link leaves every address where the second put it.
$(O)/kallsyms%.o: $(O)/kallsyms%.c
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(O)/kallsyms0.c: scripts/gen-symbols.sh
	@mkdir -p $(O)
	$(Q)scripts/gen-symbols.sh /dev/null > $@

$(O)/contig.1.elf: $(OBJS) $(O)/kallsyms0.o linker.ld
	$(say) LD $@
	$(Q)$(LD) $(LDFLAGS) -o $@ $(OBJS) $(O)/kallsyms0.o

$(O)/kallsyms1.c: $(O)/contig.1.elf scripts/gen-symbols.sh
	$(say) KSYMS $@
	$(Q)NM=$(NM) scripts/gen-symbols.sh $< > $@

$(O)/contig.2.elf: $(OBJS) $(O)/kallsyms1.o
	$(say) LD $@
	$(Q)$(LD) $(LDFLAGS) -o $@ $(OBJS) $(O)/kallsyms1.o

$(O)/kallsyms2.c: $(O)/contig.2.elf scripts/gen-symbols.sh
	$(say) KSYMS $@
	$(Q)NM=$(NM) scripts/gen-symbols.sh $< > $@

$(ELF): $(OBJS) $(O)/kallsyms2.o
	$(say) LD $@
	$(Q)$(LD) $(LDFLAGS) -o $@ $(OBJS) $(O)/kallsyms2.o
	@cmp -s <($(NM) -n $(O)/contig.2.elf | grep -i ' t ') <($(NM) -n $@ | grep -i ' t ') || \
		{ echo "kallsyms: text symbols moved between link 2 and 3"; rm -f $@; exit 1; }
	@if command -v grub-file >/dev/null; then grub-file --is-x86-multiboot2 $@ || \
		{ echo "$@: not a valid multiboot2 image"; rm -f $@; exit 1; }; fi
	$(Q)$(NM) -n $@ > $(O)/contig.sym
	$(Q)$(OBJDUMP) -d -S $@ > $(O)/contig.asm

# GDB helpers: gdb auto-loads $(O)/contig.elf-gdb.py with the ELF (from an
# auto-load safe-path, see docs/debugging.md); it loads scripts/gdb/contig/
# with the constants the compiler computes from the headers.
$(O)/gdb/constants.s: scripts/gdb/contig/constants.c Makefile
	@mkdir -p $(dir $@)
	$(say) CC $@
	$(Q)$(CC) $(CFLAGS) -S $< -o $@

$(O)/gdb/contig/constants.py: $(O)/gdb/constants.s scripts/gdb/gen-constants.sh
	@mkdir -p $(dir $@)
	$(say) GEN $@
	$(Q)scripts/gdb/gen-constants.sh $< $@

$(O)/contig.elf-gdb.py: Makefile
	@mkdir -p $(dir $@)
	$(say) GEN $@
	$(Q)printf '%s\n' '# Written by make: gdb auto-loads it with contig.elf (docs/debugging.md).' \
		'CONTIG_GDB_SRC = "$(CURDIR)/scripts/gdb"' 'CONTIG_GDB_GEN = "$(abspath $(O))/gdb"' \
		'_loader = CONTIG_GDB_SRC + "/contig-gdb.py"' \
		'exec(compile(open(_loader).read(), _loader, "exec"))' >$@

# Modules (modules/*.c, one module each): ELF relocatables with the
# kernel's flags, build/modules/NAME.ko. MODULES= (all, or NAME,NAME) picks
# the ones the ISO carries; GRUB loads each with `module2 ... NAME` and the
# kernel keeps the image for `insmod NAME` (modules= on the command line
# loads them at boot). The default, none, leaves the boots as they were.
MODULES ?=
MODULE_NAMES := $(sort $(patsubst modules/%.c,%,$(wildcard modules/*.c)))
MODULE_KOS := $(addprefix $(O)/modules/,$(addsuffix .ko,$(MODULE_NAMES)))
# No path of the build machine in a module (its debug info names the sources
# relative to the top): the same source gives the same .ko in any checkout.
MODULE_CFLAGS := -fno-common -DMODULE -Imodules -fdebug-prefix-map=$(CURDIR)=.
export CONTIG_MODULES := $(MODULES)
# make run/debug load the modules they carry at boot, unless CMDLINE says modules= itself.
RUN_MODULES := $(if $(and $(MODULES),$(if $(findstring modules=,$(CMDLINE)),,y)), modules=$(MODULES))

$(O)/modules/%.o: modules/%.c
	@mkdir -p $(dir $@)
	$(say) CC $<
	$(Q)$(CC) $(CFLAGS) $(MODULE_CFLAGS) -c $< -o $@

$(O)/modules/%.ko: $(O)/modules/%.o
	$(say) LD $@
	$(Q)$(LD) -r -o $@ $<

$(MODULE_KOS:.ko=.o): Makefile
-include $(MODULE_KOS:.ko=.d)
# Every target that boots or debugs builds the modules first: the ISO may carry them.
all iso run debug debug-server ktest e2e test docs: $(MODULE_KOS)

iso: $(O)/contig.iso
# Rebuilt every time: CMDLINE is baked into its grub.cfg.
$(O)/contig.iso: $(ELF) $(MODULE_KOS) scripts/mkiso.sh FORCE
	scripts/mkiso.sh $(ELF) $@ "$$CONTIG_CMDLINE"

# Tools: make run/test install what is missing (Debian 12) first.
deps:
	scripts/install-deps.sh

run: deps
	@$(MAKE) --no-print-directory $(ELF)
	scripts/qemu.sh --interactive --mem $(MEM) --smp $(SMP) --cmdline "$$CONTIG_CMDLINE$(RUN_MODULES)"

# GDB: debug = QEMU paused in the background (serial to build/debug-serial.log)
# + gdb here; or debug-server and gdb in two terminals. PORT= picks the port.
debug: deps
	@$(MAKE) --no-print-directory $(ELF) $(GDB_SCRIPTS)
	scripts/debug.sh debug --elf $(ELF) --mem $(MEM) --smp $(SMP) --cmdline "$$CONTIG_CMDLINE$(RUN_MODULES)" $(if $(PORT),--port $(PORT))

debug-server: deps
	@$(MAKE) --no-print-directory $(ELF) $(GDB_SCRIPTS)
	scripts/debug.sh server --elf $(ELF) --mem $(MEM) --smp $(SMP) --cmdline "$$CONTIG_CMDLINE$(RUN_MODULES)" $(if $(PORT),--port $(PORT))

gdb: $(GDB_SCRIPTS)
	scripts/debug.sh gdb --elf $(ELF) $(if $(PORT),--port $(PORT))

# host-test builds the cmocka tests and runs them (logs in $(O)/test/).
host-build:
	$(Q)$(MAKE) --no-print-directory -C tests/host O=$(abspath $(O))/host Q=$(Q)

host-test: host-build
	scripts/run-tests.sh --only host

# libFuzzer targets (tests/fuzz, clang): fuzz-build builds them, fuzz runs
# each for FUZZ_TIME seconds (FUZZ= a few of them), its corpus growing in
# $(O)/fuzz/corpus/; make test runs them briefly from the seeds.
fuzz-build:
	$(Q)$(MAKE) --no-print-directory -C tests/fuzz O=$(abspath $(O))/fuzz Q=$(Q)

fuzz: deps
	@$(MAKE) --no-print-directory fuzz-build
	tests/fuzz/run.sh --time $(FUZZ_TIME) $(FUZZ)

ktest: $(ELF)
	scripts/run-ktests.sh --mem $(MEM) --timeout $(TEST_TIMEOUT) $(if $(filter 1,$(V)),--verbose) \
		--log $(O)/test/ktest-$(MEM).log --cmdline "ktest=$(KTEST) $$CONTIG_CMDLINE"

e2e: deps
	@$(MAKE) --no-print-directory $(ELF) $(GDB_SCRIPTS)
	scripts/run-tests.sh --only e2e

test: deps
	@$(MAKE) --no-print-directory $(ELF) $(GDB_SCRIPTS) host-build fuzz-build
	scripts/run-tests.sh $(if $(filter 1,$(V)),--verbose)

# make stress: the concurrent vmalloc stress for STRESS_TIME seconds per boot
# at SMP=2 and 4 (SMP_LIST=), seeds printed; SEED= replays one. Not in make test.
STRESS_TIME ?= 120
SMP_LIST ?= 2 4
.PHONY: stress
stress: deps
	@$(MAKE) --no-print-directory $(ELF)
	scripts/stress.sh --time $(STRESS_TIME) --smp "$(SMP_LIST)" $(if $(SEED),--seed $(SEED))

# The sessions in README.md and docs/ come from real boots (scripts/doc-sessions.py).
docs: $(ELF) $(GDB_SCRIPTS)
	scripts/doc-sessions.py --update

bench: deps
	@$(MAKE) --no-print-directory $(ELF)
	BENCH_SMP=$(SMP) scripts/run-bench.sh "$(BENCH)"

# The same scenarios on Debian's Linux 6.12 (downloads ~125 MB once into
# build/bench-linux/debs/; nothing is installed): make bench's Linux column.
bench-linux: deps
	BENCH_SMP=$(SMP) scripts/bench-linux.sh "$(BENCH)"

# Both kernels at 1, 2 and 4 vCPUs, a thread per vCPU: per-thread cost, total
# throughput and plots (build/bench/scaling-latest/). Not part of make test.
# Without BENCH= on the command line, the script's default: the five goal scenarios.
SCALING_SMP ?= 1 2 4
bench-scaling: deps
	@$(MAKE) --no-print-directory $(ELF)
	BENCH_SCALING_SMP="$(SCALING_SMP)" scripts/bench-scaling.sh \
		$(if $(filter command line environment,$(origin BENCH)),"$(BENCH)")

check:
	clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')
	scripts/check-layers.sh

clean:
	rm -rf $(O)

help:
	@echo "Contig make targets:"
	@echo "  all (default)  build $(ELF) (+ contig.sym, contig.asm)"
	@echo "  iso            build $(O)/contig.iso (GRUB, multiboot2)"
	@echo "  run            boot in QEMU, serial on stdio  [MEM=$(MEM) SMP=$(SMP) FIRMWARE=bios|uefi CMDLINE=...]"
	@echo "                 MODULES=all|NAME,... puts build/modules/NAME.ko in the ISO (every booting target)"
	@echo "  test           host unit tests + in-kernel self-tests (several memory sizes, BIOS and UEFI) + e2e + a short fuzz run  [V=1]"
	@echo "  host-test      build and run only the cmocka host tests"
	@echo "  fuzz           libFuzzer over the parsers and vmalloc, FUZZ_TIME s each  [FUZZ_TIME=$(FUZZ_TIME) FUZZ=name ...]"
	@echo "  ktest          only the in-kernel self-tests  [KTEST=all|list|glob,... MEM=... SMP=1..16 FIRMWARE=... V=1]"
	@echo "  e2e            only the end-to-end scenarios"
	@echo "  bench          vmalloc benchmarks  [BENCH=name,... SMP=N: each scenario on N threads]"
	@echo "  bench-linux    the same scenarios on Debian's Linux 6.12, for bench's Linux column  [BENCH=name,... SMP=N]"
	@echo "  bench-scaling  bench and bench-linux at 1, 2, 4 vCPUs: per-thread cost, throughput, plots  [BENCH=name,... SCALING_SMP=\"1 2\"]"
	@echo "  stress         concurrent vmalloc stress at SMP=2 and 4, seeds printed  [STRESS_TIME=s SEED= SMP_LIST=]"
	@echo "  debug          QEMU paused with its GDB stub + gdb with our helpers  [PORT=]"
	@echo "  debug-server   only QEMU with the stub (then make gdb in another terminal)"
	@echo "  gdb            only gdb, connecting to make debug-server"
	@echo "  docs           rewrite the sessions in README.md and docs/ from real boots"
	@echo "  deps           install the Debian packages the build needs"
	@echo "  check          clang-format check; no include points up a floor (scripts/check-layers.sh)"
	@echo "  clean          remove $(O)/"

FORCE:

SHELL := /bin/bash
$(OBJS): Makefile
-include $(OBJS:.o=.d) $(O)/gdb/constants.d $(MLT_MODS:.ko=.d)
