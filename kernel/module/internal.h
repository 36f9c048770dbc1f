/*
 * What the module loader's files share (kernel/module/): the ELF64 types it
 * reads, and the pure half of the loader in elf.c, which works on a byte
 * buffer and a placement only, so the host tests and the fuzz target run
 * it as it boots.
 *
 * The steps, in order (each refuses with a "module: ..." message naming the
 * problem and its values, and returns -ENOEXEC or -ENOENT):
 *
 *	elf_check()		headers, sections, string tables, symbols,
 *				relocation entries, .modinfo, vermagic, init
 *	elf_layout()		section -> (region, offset), region sizes
 *	elf_copy()		sections into the regions' memory, bss zeroed
 *	elf_resolve()		every symbol's final value (undefined ones
 *				through the caller's resolver)
 *	elf_relocate()		apply every RELA entry aimed at a loaded
 *				section, with the overflow checks
 */
#ifndef KERNEL_MODULE_INTERNAL_H
#define KERNEL_MODULE_INTERNAL_H

#include "kernel/module.h"
#include "kernel/types.h"

typedef u64 Elf64_Addr;
typedef u64 Elf64_Off;
typedef u16 Elf64_Half;
typedef u32 Elf64_Word;
typedef s32 Elf64_Sword;
typedef u64 Elf64_Xword;
typedef s64 Elf64_Sxword;

#define EI_NIDENT 16

typedef struct {
	unsigned char e_ident[EI_NIDENT];
	Elf64_Half e_type;
	Elf64_Half e_machine;
	Elf64_Word e_version;
	Elf64_Addr e_entry;
	Elf64_Off e_phoff;
	Elf64_Off e_shoff;
	Elf64_Word e_flags;
	Elf64_Half e_ehsize;
	Elf64_Half e_phentsize;
	Elf64_Half e_phnum;
	Elf64_Half e_shentsize;
	Elf64_Half e_shnum;
	Elf64_Half e_shstrndx;
} Elf64_Ehdr;

typedef struct {
	Elf64_Word sh_name;
	Elf64_Word sh_type;
	Elf64_Xword sh_flags;
	Elf64_Addr sh_addr;
	Elf64_Off sh_offset;
	Elf64_Xword sh_size;
	Elf64_Word sh_link;
	Elf64_Word sh_info;
	Elf64_Xword sh_addralign;
	Elf64_Xword sh_entsize;
} Elf64_Shdr;

typedef struct {
	Elf64_Word st_name;
	unsigned char st_info;
	unsigned char st_other;
	Elf64_Half st_shndx;
	Elf64_Addr st_value;
	Elf64_Xword st_size;
} Elf64_Sym;

typedef struct {
	Elf64_Addr r_offset;
	Elf64_Xword r_info;
	Elf64_Sxword r_addend;
} Elf64_Rela;

#define ELFCLASS64  2
#define ELFDATA2LSB 1
#define EV_CURRENT  1
#define ET_REL	    1
#define EM_X86_64   62

#define SHT_NULL	  0
#define SHT_PROGBITS	  1
#define SHT_SYMTAB	  2
#define SHT_STRTAB	  3
#define SHT_RELA	  4
#define SHT_NOTE	  7
#define SHT_NOBITS	  8
#define SHT_REL		  9
#define SHT_X86_64_UNWIND 0x70000001

#define SHF_WRITE     0x1
#define SHF_ALLOC     0x2
#define SHF_EXECINSTR 0x4
#define SHF_TLS	      0x400

#define SHN_UNDEF     0
#define SHN_LORESERVE 0xff00
#define SHN_ABS	      0xfff1
#define SHN_COMMON    0xfff2
#define SHN_XINDEX    0xffff

#define STB_LOCAL	 0
#define STB_GLOBAL	 1
#define STB_WEAK	 2
#define STT_NOTYPE	 0
#define STT_OBJECT	 1
#define STT_FUNC	 2
#define STT_SECTION	 3
#define STT_FILE	 4
#define ELF64_ST_BIND(i) ((i) >> 4)
#define ELF64_ST_TYPE(i) ((i)&0xf)

#define ELF64_R_SYM(i)	((u32)((i) >> 32))
#define ELF64_R_TYPE(i) ((u32)(i))

#define R_X86_64_64    1
#define R_X86_64_PC32  2
#define R_X86_64_PLT32 4
#define R_X86_64_32    10
#define R_X86_64_32S   11

/* Sections an object may have (more are refused: the checks are O(n^2)). */
#define ELF_MAX_SECTIONS 1024
/* The largest section alignment a region can honour (regions are page aligned). */
#define ELF_MAX_ALIGN 4096

/* What elf_check() found, for the later steps. Pointers point into the image. */
struct load_info {
	const u8 *image;
	unsigned long len;
	const Elf64_Ehdr *hdr;
	const Elf64_Shdr *sechdrs;
	unsigned int shnum;
	const char *secstrings;
	unsigned int symindex; /* the one SHT_SYMTAB */
	const Elf64_Sym *syms;
	unsigned int nsyms;
	const char *strtab;
	unsigned long strtab_size;
	unsigned int modinfo_index;
	unsigned int ksymtab_index; /* the module's __ksymtab, 0 if none */
	const char *name;	    /* from .modinfo, NUL-terminated in the image */
	unsigned int init_sym;	    /* symbol index of init_module */
	unsigned int exit_sym;	    /* of cleanup_module, 0 if none */
};

/* Where one section goes: MOD_REGION_NUM when it is not loaded. */
struct elf_sec_place {
	unsigned int region;
	unsigned long offset;
};

/* One region: the address code runs at, and where the loader writes it
 * (the same in the kernel; a host buffer in the host tests). */
struct elf_region {
	unsigned long addr;
	u8 *mem;
	unsigned long size;
};

struct elf_layout {
	struct elf_region region[MOD_REGION_NUM];
	struct elf_sec_place *sec; /* info->shnum entries, the caller's memory */
};

/*
 * elf_check - validate @len bytes at @image as a module for a kernel whose
 * vermagic is @kernel_vermagic, and fill @info.
 * => reads nothing outside [image, image + len); @image must be 8-byte
 *    aligned.
 * => Return: 0, or -ENOEXEC after one "module: ..." message.
 */
int elf_check(struct load_info *info, const void *image, unsigned long len,
	      const char *kernel_vermagic);

/* Is section @i copied into the module (SHF_ALLOC, not .modinfo)? */
bool elf_sec_loaded(const struct load_info *info, unsigned int i);

/*
 * elf_layout - assign every loaded section a region and an offset honouring
 * its alignment; set each region's size (addr and mem left to the caller).
 * => @lo->sec must have info->shnum entries.
 */
void elf_layout(const struct load_info *info, struct elf_layout *lo);

/* Copy the PROGBITS sections into their regions' memory and zero the rest
 * of each region (bss, alignment gaps). The regions' mem must be set. */
void elf_copy(const struct load_info *info, const struct elf_layout *lo);

/* The run-time address of offset @off of loaded section @i. */
unsigned long elf_sec_addr(const struct elf_layout *lo, unsigned int i, unsigned long off);

/* The loader's resolver: the address of @name, 0 if nobody exports it. */
typedef unsigned long (*elf_resolve_fn)(const char *name, void *ctx);

/*
 * elf_resolve - the final value of every symbol into @values (info->nsyms
 * entries): defined ones at their section's place, SHN_ABS as they are,
 * undefined ones through @resolve (a weak one not found is 0).
 * => Return: 0, or -ENOENT after a "module NAME: unknown symbol X" message
 *    for each symbol nobody exports.
 */
int elf_resolve(const struct load_info *info, const struct elf_layout *lo, unsigned long *values,
		elf_resolve_fn resolve, void *ctx);

/*
 * elf_relocate - apply every relocation aimed at a loaded section.
 * => Return: 0, or -ENOEXEC after a message naming the relocation, its
 *    symbol and the values when a result does not fit its field, or when it
 *    uses a symbol of a section that is not loaded.
 */
int elf_relocate(const struct load_info *info, const struct elf_layout *lo,
		 const unsigned long *values);

/* The name of symbol @i (elf_check() made it safe to read). */
const char *elf_sym_name(const struct load_info *info, unsigned int i);
/* The name of section @i. */
const char *elf_sec_name(const struct load_info *info, unsigned int i);

#endif /* KERNEL_MODULE_INTERNAL_H */
