/*
 * The module loader's pure half: check an ELF64 relocatable object byte by
 * byte, lay its sections out in four regions, copy them, resolve its
 * symbols and apply its relocations. Nothing here allocates, maps or
 * locks; it reads the image and writes the regions' memory the caller gave
 * it, so tests/host/module_elf_test.c and tests/fuzz/module_fuzz.c run this
 * very file.
 *
 * Invariant: elf_check() returns 0 only when every later step can read
 * what it needs without leaving the image: the section header table, every
 * section with contents, the string tables (each ends with a NUL, so every
 * in-range offset names a terminated string), the symbol table and the
 * relocation entries aimed at loaded sections (offsets, widths, symbol
 * indices and types). What it cannot know before the placement (values too
 * wide for their 32-bit field) elf_relocate() checks as it goes.
 *
 * Messages: "module: <what is wrong> (<values>)" before the name is known,
 * "module NAME: ..." after; one per refusal, at KERN_ERR.
 */
#include "kernel/module/internal.h"

#include "kernel/errno.h"
#include "kernel/printk.h"
#include "lib/string.h"

#define elf_err(info, fmt, ...)                                                                    \
	pr_err("module%s%s: " fmt "\n", (info)->name ? " " : "", (info)->name ? (info)->name : "", \
	       ##__VA_ARGS__)

/* The largest loaded section: keeps every layout sum far from overflowing. */
#define ELF_MAX_SECTION_SIZE (256UL << 20)

const char *elf_sec_name(const struct load_info *info, unsigned int i)
{
	return info->secstrings + info->sechdrs[i].sh_name;
}

const char *elf_sym_name(const struct load_info *info, unsigned int i)
{
	return info->strtab + info->syms[i].st_name;
}

bool elf_sec_loaded(const struct load_info *info, unsigned int i)
{
	return i != 0 && (info->sechdrs[i].sh_flags & SHF_ALLOC) && i != info->modinfo_index;
}

/* Does [off, off + size) lie inside the image? (No overflow on any input.) */
static bool elf_in_image(const struct load_info *info, u64 off, u64 size)
{
	return off <= info->len && size <= info->len - off;
}

static bool elf_has_contents(const Elf64_Shdr *s)
{
	return s->sh_type != SHT_NOBITS && s->sh_type != SHT_NULL && s->sh_size;
}

/* ---- the ELF header ---- */

static int elf_check_ident(const struct load_info *info)
{
	const unsigned char *id = info->hdr->e_ident;

	if (id[0] != 0x7f || id[1] != 'E' || id[2] != 'L' || id[3] != 'F') {
		elf_err(info, "not an ELF file (magic %02x %02x %02x %02x, want 7f 45 4c 46)",
			id[0], id[1], id[2], id[3]);
		return -ENOEXEC;
	}
	if (id[4] != ELFCLASS64) {
		elf_err(info, "ELF class %u, want ELFCLASS64 (2)", id[4]);
		return -ENOEXEC;
	}
	if (id[5] != ELFDATA2LSB) {
		elf_err(info, "ELF data encoding %u, want little-endian (1)", id[5]);
		return -ENOEXEC;
	}
	if (id[6] != EV_CURRENT || info->hdr->e_version != EV_CURRENT) {
		elf_err(info, "ELF version %u/%u, want 1", id[6], info->hdr->e_version);
		return -ENOEXEC;
	}
	return 0;
}

static int elf_check_header(struct load_info *info)
{
	const Elf64_Ehdr *h = info->hdr;
	u64 table;

	if (elf_check_ident(info))
		return -ENOEXEC;
	if (h->e_type != ET_REL) {
		elf_err(info, "ELF type %u, want ET_REL (1): a module is a relocatable object",
			h->e_type);
		return -ENOEXEC;
	}
	if (h->e_machine != EM_X86_64) {
		elf_err(info, "ELF machine %u, want x86-64 (62)", h->e_machine);
		return -ENOEXEC;
	}
	if (h->e_ehsize != sizeof(Elf64_Ehdr) || h->e_shentsize != sizeof(Elf64_Shdr)) {
		elf_err(info, "header size %u and section header size %u, want 64 and 64",
			h->e_ehsize, h->e_shentsize);
		return -ENOEXEC;
	}
	if (h->e_shnum == 0 || h->e_shnum > ELF_MAX_SECTIONS) {
		elf_err(info, "%u sections, want 1 to %u", h->e_shnum, ELF_MAX_SECTIONS);
		return -ENOEXEC;
	}
	table = (u64)h->e_shnum * sizeof(Elf64_Shdr);
	if (h->e_shoff % 8 || !elf_in_image(info, h->e_shoff, table)) {
		elf_err(info,
			"section header table [0x%llx-0x%llx) not 8-byte aligned inside the image (%lu bytes)",
			(unsigned long long)h->e_shoff, (unsigned long long)(h->e_shoff + table),
			info->len);
		return -ENOEXEC;
	}
	if (h->e_shstrndx == SHN_UNDEF || h->e_shstrndx >= h->e_shnum) {
		elf_err(info, "section name table index %u out of range (%u sections)",
			h->e_shstrndx, h->e_shnum);
		return -ENOEXEC;
	}
	info->sechdrs = (const Elf64_Shdr *)(info->image + h->e_shoff);
	info->shnum = h->e_shnum;
	return 0;
}

/* ---- sections ---- */

/* A string table: inside the image, not empty, its last byte a NUL. */
static int elf_check_strtab(const struct load_info *info, unsigned int i, const char *what)
{
	const Elf64_Shdr *s = &info->sechdrs[i];

	if (s->sh_type != SHT_STRTAB || !s->sh_size ||
	    !elf_in_image(info, s->sh_offset, s->sh_size)) {
		elf_err(info,
			"%s (section %u): type %u, [0x%llx-0x%llx), want a non-empty SHT_STRTAB inside the image (%lu bytes)",
			what, i, s->sh_type, (unsigned long long)s->sh_offset,
			(unsigned long long)(s->sh_offset + s->sh_size), info->len);
		return -ENOEXEC;
	}
	if (info->image[s->sh_offset + s->sh_size - 1] != '\0') {
		elf_err(info, "%s (section %u) does not end with a NUL", what, i);
		return -ENOEXEC;
	}
	return 0;
}

static int elf_check_alloc_section(const struct load_info *info, unsigned int i)
{
	const Elf64_Shdr *s = &info->sechdrs[i];
	const char *name = elf_sec_name(info, i);

	if (s->sh_type != SHT_PROGBITS && s->sh_type != SHT_NOBITS && s->sh_type != SHT_NOTE &&
	    s->sh_type != SHT_X86_64_UNWIND) {
		elf_err(info,
			"section %s: type %#x cannot be loaded (constructors, TLS and the like are not supported)",
			name, s->sh_type);
		return -ENOEXEC;
	}
	if (s->sh_flags & SHF_TLS) {
		elf_err(info, "section %s: thread-local storage is not supported", name);
		return -ENOEXEC;
	}
	if ((s->sh_flags & SHF_WRITE) && (s->sh_flags & SHF_EXECINSTR)) {
		elf_err(info, "section %s is both writable and executable (flags 0x%llx)", name,
			(unsigned long long)s->sh_flags);
		return -ENOEXEC;
	}
	if (s->sh_addralign > ELF_MAX_ALIGN || (s->sh_addralign & (s->sh_addralign - 1))) {
		elf_err(info, "section %s: alignment 0x%llx is not a power of two up to %#x", name,
			(unsigned long long)s->sh_addralign, ELF_MAX_ALIGN);
		return -ENOEXEC;
	}
	if (s->sh_size > ELF_MAX_SECTION_SIZE) {
		elf_err(info, "section %s: 0x%llx bytes, at most 0x%lx can be loaded", name,
			(unsigned long long)s->sh_size, ELF_MAX_SECTION_SIZE);
		return -ENOEXEC;
	}
	return 0;
}

static int elf_check_section(const struct load_info *info, unsigned int i)
{
	const Elf64_Shdr *s = &info->sechdrs[i];
	unsigned long names = info->sechdrs[info->hdr->e_shstrndx].sh_size;

	if (s->sh_name >= names) {
		elf_err(info,
			"section %u: name offset %u outside the section name table (%lu bytes)", i,
			s->sh_name, names);
		return -ENOEXEC;
	}
	/* An empty section's offset too: the loader forms pointers from it. */
	if (s->sh_type != SHT_NOBITS && s->sh_type != SHT_NULL &&
	    !elf_in_image(info, s->sh_offset, s->sh_size)) {
		elf_err(info, "section %s: contents [0x%llx-0x%llx) outside the image (%lu bytes)",
			elf_sec_name(info, i), (unsigned long long)s->sh_offset,
			(unsigned long long)(s->sh_offset + s->sh_size), info->len);
		return -ENOEXEC;
	}
	if (s->sh_type == SHT_REL) {
		elf_err(info,
			"section %s: SHT_REL relocations are not supported (x86-64 uses SHT_RELA)",
			elf_sec_name(info, i));
		return -ENOEXEC;
	}
	if ((s->sh_flags & SHF_ALLOC) && elf_check_alloc_section(info, i))
		return -ENOEXEC;
	return 0;
}

/* A file range of the image: the ELF header, the section table, a section. */
struct elf_range {
	u64 start, end;
	const char *what;
};

static struct elf_range elf_range_of(const struct load_info *info, unsigned int i)
{
	const Elf64_Shdr *s;

	if (i == info->shnum)
		return (struct elf_range){ 0, sizeof(Elf64_Ehdr), "ELF header" };
	if (i == info->shnum + 1)
		return (struct elf_range){ info->hdr->e_shoff,
					   info->hdr->e_shoff + info->shnum * sizeof(Elf64_Shdr),
					   "section header table" };
	s = &info->sechdrs[i];
	if (!elf_has_contents(s))
		return (struct elf_range){ 0, 0, NULL };
	return (struct elf_range){ s->sh_offset, s->sh_offset + s->sh_size, elf_sec_name(info, i) };
}

/* No two of the file ranges share a byte (O(n^2) over at most 1026 ranges). */
static int elf_check_overlaps(const struct load_info *info)
{
	for (unsigned int i = 0; i < info->shnum + 2; i++) {
		struct elf_range a = elf_range_of(info, i);

		if (a.start == a.end)
			continue;
		for (unsigned int j = i + 1; j < info->shnum + 2; j++) {
			struct elf_range b = elf_range_of(info, j);

			if (b.start == b.end || a.end <= b.start || b.end <= a.start)
				continue;
			elf_err(info,
				"%s [0x%llx-0x%llx) and %s [0x%llx-0x%llx) overlap in the file",
				a.what, (unsigned long long)a.start, (unsigned long long)a.end,
				b.what, (unsigned long long)b.start, (unsigned long long)b.end);
			return -ENOEXEC;
		}
	}
	return 0;
}

static int elf_check_sections(struct load_info *info)
{
	if (elf_check_strtab(info, info->hdr->e_shstrndx, "section name table"))
		return -ENOEXEC;
	info->secstrings =
		(const char *)info->image + info->sechdrs[info->hdr->e_shstrndx].sh_offset;
	for (unsigned int i = 0; i < info->shnum; i++)
		if (elf_check_section(info, i))
			return -ENOEXEC;
	return elf_check_overlaps(info);
}

/* ---- .modinfo: name= and vermagic= ---- */

/* The value of "@key=" in .modinfo, or NULL; *@count says how many there were. */
static const char *elf_modinfo_get(const struct load_info *info, const char *key,
				   unsigned int *count)
{
	const Elf64_Shdr *s = &info->sechdrs[info->modinfo_index];
	const char *p = (const char *)info->image + s->sh_offset, *end = p + s->sh_size;
	const char *found = NULL;
	size_t klen = strlen(key);

	*count = 0;
	for (; p < end; p += strlen(p) + 1) {
		if (!strncmp(p, key, klen) && p[klen] == '=') {
			found = found ? found : p + klen + 1;
			(*count)++;
		}
	}
	return found;
}

static int elf_find_modinfo(struct load_info *info)
{
	const Elf64_Shdr *s;

	for (unsigned int i = 1; i < info->shnum; i++)
		if (!strcmp(elf_sec_name(info, i), ".modinfo"))
			info->modinfo_index = i;
	if (!info->modinfo_index) {
		elf_err(info, "no .modinfo section (MODULE_NAME missing)");
		return -ENOEXEC;
	}
	s = &info->sechdrs[info->modinfo_index];
	if (s->sh_type != SHT_PROGBITS || !s->sh_size ||
	    info->image[s->sh_offset + s->sh_size - 1]) {
		elf_err(info,
			".modinfo: type %u, %llu bytes, want SHT_PROGBITS strings ending with a NUL",
			s->sh_type, (unsigned long long)s->sh_size);
		return -ENOEXEC;
	}
	return 0;
}

static bool elf_name_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

static int elf_check_name(struct load_info *info)
{
	unsigned int count;
	const char *name = elf_modinfo_get(info, "name", &count);
	size_t len;

	if (!name || count != 1) {
		elf_err(info, "%u name= entries in .modinfo, want 1 (MODULE_NAME)", count);
		return -ENOEXEC;
	}
	len = strlen(name);
	for (size_t i = 0; i < len; i++)
		if (!elf_name_char_ok(name[i]))
			len = MODULE_NAME_LEN;
	if (len == 0 || len >= MODULE_NAME_LEN) {
		elf_err(info, "name \"%.*s\" is not 1 to %u letters, digits, '_' or '-'",
			MODULE_NAME_LEN, name, MODULE_NAME_LEN - 1);
		return -ENOEXEC;
	}
	info->name = name;
	return 0;
}

static int elf_check_vermagic(const struct load_info *info, const char *kernel_vermagic)
{
	unsigned int count;
	const char *magic = elf_modinfo_get(info, "vermagic", &count);

	if (!magic || count != 1) {
		elf_err(info, "%u vermagic= entries in .modinfo, want 1", count);
		return -ENOEXEC;
	}
	if (strcmp(magic, kernel_vermagic)) {
		elf_err(info, "vermagic \"%.80s\" does not match the kernel's \"%s\"", magic,
			kernel_vermagic);
		return -ENOEXEC;
	}
	return 0;
}

/* ---- the symbol table ---- */

/* A table of fixed-size entries: entry size, whole entries, 8-byte aligned. */
static int elf_check_table(const struct load_info *info, unsigned int i, u64 entsize)
{
	const Elf64_Shdr *s = &info->sechdrs[i];

	if (s->sh_entsize != entsize || s->sh_size % entsize || s->sh_offset % 8) {
		elf_err(info,
			"section %s: entry size %llu, size %llu, offset 0x%llx; want entries of %llu bytes at an 8-byte aligned offset",
			elf_sec_name(info, i), (unsigned long long)s->sh_entsize,
			(unsigned long long)s->sh_size, (unsigned long long)s->sh_offset,
			(unsigned long long)entsize);
		return -ENOEXEC;
	}
	return 0;
}

static int elf_find_symtab(struct load_info *info)
{
	const Elf64_Shdr *s;

	for (unsigned int i = 1; i < info->shnum; i++) {
		if (info->sechdrs[i].sh_type != SHT_SYMTAB)
			continue;
		if (info->symindex) {
			elf_err(info, "two symbol tables (sections %u and %u)", info->symindex, i);
			return -ENOEXEC;
		}
		info->symindex = i;
	}
	if (!info->symindex) {
		elf_err(info, "no symbol table");
		return -ENOEXEC;
	}
	s = &info->sechdrs[info->symindex];
	if (elf_check_table(info, info->symindex, sizeof(Elf64_Sym)))
		return -ENOEXEC;
	if (s->sh_link == 0 || s->sh_link >= info->shnum) {
		elf_err(info, "symbol table: string table index %u out of range (%u sections)",
			s->sh_link, info->shnum);
		return -ENOEXEC;
	}
	if (elf_check_strtab(info, s->sh_link, "symbol string table"))
		return -ENOEXEC;
	info->syms = (const Elf64_Sym *)(info->image + s->sh_offset);
	info->nsyms = s->sh_size / sizeof(Elf64_Sym);
	info->strtab = (const char *)info->image + info->sechdrs[s->sh_link].sh_offset;
	info->strtab_size = info->sechdrs[s->sh_link].sh_size;
	return 0;
}

static int elf_check_sym_section(const struct load_info *info, unsigned int i)
{
	const Elf64_Sym *sym = &info->syms[i];
	const Elf64_Shdr *s;

	if (sym->st_shndx == SHN_UNDEF || sym->st_shndx == SHN_ABS)
		return 0;
	if (sym->st_shndx == SHN_COMMON) {
		elf_err(info, "common symbol %s, build with -fno-common", elf_sym_name(info, i));
		return -ENOEXEC;
	}
	if (sym->st_shndx >= info->shnum) {
		elf_err(info, "symbol %s: section index %#x out of range (%u sections)",
			elf_sym_name(info, i), sym->st_shndx, info->shnum);
		return -ENOEXEC;
	}
	s = &info->sechdrs[sym->st_shndx];
	if (elf_sec_loaded(info, sym->st_shndx) && sym->st_value > s->sh_size) {
		elf_err(info, "symbol %s: value 0x%llx outside its section %s (0x%llx bytes)",
			elf_sym_name(info, i), (unsigned long long)sym->st_value,
			elf_sec_name(info, sym->st_shndx), (unsigned long long)s->sh_size);
		return -ENOEXEC;
	}
	return 0;
}

/* Entry 0 of the symbol table: all zeros (relocations may not use it, so
 * nothing else reads it, but a name or section there would be unchecked). */
static int elf_check_null_symbol(const struct load_info *info)
{
	static const Elf64_Sym zero;
	const Elf64_Sym *sym = &info->syms[0];

	if (!info->nsyms) {
		elf_err(info, "symbol table is empty (want the null symbol first)");
		return -ENOEXEC;
	}
	if (memcmp(sym, &zero, sizeof(zero))) {
		elf_err(info,
			"symbol 0 (name %u, section %#x, info %#x, value 0x%llx) is not the all-zero null symbol",
			sym->st_name, sym->st_shndx, sym->st_info,
			(unsigned long long)sym->st_value);
		return -ENOEXEC;
	}
	return 0;
}

static int elf_check_symbols(struct load_info *info)
{
	if (elf_check_null_symbol(info))
		return -ENOEXEC;
	for (unsigned int i = 1; i < info->nsyms; i++) {
		if (info->syms[i].st_name >= info->strtab_size) {
			elf_err(info,
				"symbol %u: name offset %u outside the string table (%lu bytes)", i,
				info->syms[i].st_name, info->strtab_size);
			return -ENOEXEC;
		}
		if (elf_check_sym_section(info, i))
			return -ENOEXEC;
	}
	return 0;
}

/* Symbol index of the global @name defined in a loaded executable section, or 0. */
static unsigned int elf_find_function(const struct load_info *info, const char *name)
{
	for (unsigned int i = 1; i < info->nsyms; i++) {
		const Elf64_Sym *sym = &info->syms[i];

		if (ELF64_ST_BIND(sym->st_info) == STB_LOCAL || sym->st_shndx == SHN_UNDEF ||
		    sym->st_shndx >= info->shnum || strcmp(elf_sym_name(info, i), name))
			continue;
		if (elf_sec_loaded(info, sym->st_shndx) &&
		    (info->sechdrs[sym->st_shndx].sh_flags & SHF_EXECINSTR))
			return i;
	}
	return 0;
}

static int elf_find_init_exit(struct load_info *info)
{
	info->init_sym = elf_find_function(info, "init_module");
	if (!info->init_sym) {
		elf_err(info, "no init function (MODULE_INIT missing)");
		return -ENOEXEC;
	}
	info->exit_sym = elf_find_function(info, "cleanup_module");
	return 0;
}

static int elf_find_ksymtab(struct load_info *info)
{
	for (unsigned int i = 1; i < info->shnum; i++) {
		const Elf64_Shdr *s = &info->sechdrs[i];

		if (strcmp(elf_sec_name(info, i), "__ksymtab"))
			continue;
		if (!elf_sec_loaded(info, i) || s->sh_type != SHT_PROGBITS ||
		    (s->sh_flags & SHF_WRITE) || s->sh_size % sizeof(struct kernel_symbol)) {
			elf_err(info,
				"__ksymtab: type %u, flags 0x%llx, %llu bytes; want read-only SHT_PROGBITS entries of %zu bytes",
				s->sh_type, (unsigned long long)s->sh_flags,
				(unsigned long long)s->sh_size, sizeof(struct kernel_symbol));
			return -ENOEXEC;
		}
		info->ksymtab_index = i;
	}
	return 0;
}

/* ---- relocation entries ---- */

static unsigned int elf_rel_width(u32 type)
{
	switch (type) {
	case R_X86_64_64:
		return 8;
	case R_X86_64_PC32:
	case R_X86_64_PLT32:
	case R_X86_64_32:
	case R_X86_64_32S:
		return 4;
	default:
		return 0;
	}
}

static const char *elf_rel_name(u32 type)
{
	switch (type) {
	case R_X86_64_64:
		return "R_X86_64_64";
	case R_X86_64_PC32:
		return "R_X86_64_PC32";
	case R_X86_64_PLT32:
		return "R_X86_64_PLT32";
	case R_X86_64_32:
		return "R_X86_64_32";
	case R_X86_64_32S:
		return "R_X86_64_32S";
	default:
		return "?";
	}
}

static const Elf64_Rela *elf_relas(const struct load_info *info, unsigned int i)
{
	return (const Elf64_Rela *)(info->image + info->sechdrs[i].sh_offset);
}

static int elf_check_rela(const struct load_info *info, unsigned int i, unsigned int k)
{
	const Elf64_Rela *r = &elf_relas(info, i)[k];
	const Elf64_Shdr *target = &info->sechdrs[info->sechdrs[i].sh_info];
	u32 type = ELF64_R_TYPE(r->r_info), sym = ELF64_R_SYM(r->r_info);
	unsigned int width = elf_rel_width(type);

	if (!width) {
		elf_err(info,
			"%s entry %u: relocation type %u not supported (only R_X86_64_64, PC32, PLT32, 32, 32S)",
			elf_sec_name(info, i), k, type);
		return -ENOEXEC;
	}
	if (r->r_offset > target->sh_size || width > target->sh_size - r->r_offset) {
		elf_err(info,
			"%s entry %u: %s at offset 0x%llx runs past its section %s (0x%llx bytes)",
			elf_sec_name(info, i), k, elf_rel_name(type),
			(unsigned long long)r->r_offset,
			elf_sec_name(info, info->sechdrs[i].sh_info),
			(unsigned long long)target->sh_size);
		return -ENOEXEC;
	}
	if (sym >= info->nsyms) {
		elf_err(info, "%s entry %u: symbol index %u out of range (%u symbols)",
			elf_sec_name(info, i), k, sym, info->nsyms);
		return -ENOEXEC;
	}
	if (sym == 0) {
		elf_err(info, "%s entry %u: %s against symbol 0, the null symbol",
			elf_sec_name(info, i), k, elf_rel_name(type));
		return -ENOEXEC;
	}
	return 0;
}

static int elf_check_rela_section(const struct load_info *info, unsigned int i)
{
	const Elf64_Shdr *s = &info->sechdrs[i];
	const char *name = elf_sec_name(info, i);

	if (elf_check_table(info, i, sizeof(Elf64_Rela)))
		return -ENOEXEC;
	if (s->sh_link != info->symindex) {
		elf_err(info, "section %s: symbol table index %u, want %u", name, s->sh_link,
			info->symindex);
		return -ENOEXEC;
	}
	if (s->sh_info == 0 || s->sh_info >= info->shnum) {
		elf_err(info, "section %s: target section %u out of range (%u sections)", name,
			s->sh_info, info->shnum);
		return -ENOEXEC;
	}
	if (!elf_sec_loaded(info, s->sh_info))
		return 0; /* debug information: never applied */
	if (info->sechdrs[s->sh_info].sh_type == SHT_NOBITS) {
		elf_err(info, "section %s: relocations into %s, which has no contents", name,
			elf_sec_name(info, s->sh_info));
		return -ENOEXEC;
	}
	for (unsigned int k = 0; k < s->sh_size / sizeof(Elf64_Rela); k++)
		if (elf_check_rela(info, i, k))
			return -ENOEXEC;
	return 0;
}

static int elf_check_relocations(const struct load_info *info)
{
	for (unsigned int i = 1; i < info->shnum; i++)
		if (info->sechdrs[i].sh_type == SHT_RELA && elf_check_rela_section(info, i))
			return -ENOEXEC;
	return 0;
}

int elf_check(struct load_info *info, const void *image, unsigned long len,
	      const char *kernel_vermagic)
{
	memset(info, 0, sizeof(*info));
	info->image = image;
	info->len = len;
	info->hdr = image;
	if (len < sizeof(Elf64_Ehdr)) {
		elf_err(info, "image of %lu bytes is shorter than an ELF header (%zu)", len,
			sizeof(Elf64_Ehdr));
		return -ENOEXEC;
	}
	if ((unsigned long)image % 8) {
		elf_err(info, "image at %p is not 8-byte aligned", image);
		return -ENOEXEC;
	}
	if (elf_check_header(info) || elf_check_sections(info) || elf_find_modinfo(info) ||
	    elf_check_name(info) || elf_check_vermagic(info, kernel_vermagic) ||
	    elf_find_symtab(info) || elf_check_symbols(info) || elf_find_init_exit(info) ||
	    elf_find_ksymtab(info) || elf_check_relocations(info))
		return -ENOEXEC;
	return 0;
}

/* ---- layout and copy ---- */

static unsigned int elf_sec_region(const Elf64_Shdr *s)
{
	if (s->sh_flags & SHF_EXECINSTR)
		return MOD_TEXT;
	if (s->sh_type == SHT_NOBITS)
		return MOD_BSS;
	if (s->sh_flags & SHF_WRITE)
		return MOD_DATA;
	return MOD_RODATA;
}

void elf_layout(const struct load_info *info, struct elf_layout *lo)
{
	for (unsigned int r = 0; r < MOD_REGION_NUM; r++)
		lo->region[r].size = 0;
	for (unsigned int i = 0; i < info->shnum; i++) {
		const Elf64_Shdr *s = &info->sechdrs[i];
		struct elf_region *reg;
		u64 align = s->sh_addralign ? s->sh_addralign : 1;

		lo->sec[i].region = MOD_REGION_NUM;
		lo->sec[i].offset = 0;
		if (i == 0 || !elf_sec_loaded(info, i))
			continue;
		lo->sec[i].region = elf_sec_region(s);
		reg = &lo->region[lo->sec[i].region];
		lo->sec[i].offset = ALIGN(reg->size, align);
		reg->size = lo->sec[i].offset + s->sh_size;
	}
}

unsigned long elf_sec_addr(const struct elf_layout *lo, unsigned int i, unsigned long off)
{
	return lo->region[lo->sec[i].region].addr + lo->sec[i].offset + off;
}

static u8 *elf_sec_mem(const struct elf_layout *lo, unsigned int i, unsigned long off)
{
	return lo->region[lo->sec[i].region].mem + lo->sec[i].offset + off;
}

void elf_copy(const struct load_info *info, const struct elf_layout *lo)
{
	for (unsigned int r = 0; r < MOD_REGION_NUM; r++)
		if (lo->region[r].size)
			memset(lo->region[r].mem, 0, lo->region[r].size);
	for (unsigned int i = 1; i < info->shnum; i++) {
		const Elf64_Shdr *s = &info->sechdrs[i];

		if (lo->sec[i].region != MOD_REGION_NUM && elf_has_contents(s))
			memcpy(elf_sec_mem(lo, i, 0), info->image + s->sh_offset, s->sh_size);
	}
}

/* ---- symbols and relocations ---- */

int elf_resolve(const struct load_info *info, const struct elf_layout *lo, unsigned long *values,
		elf_resolve_fn resolve, void *ctx)
{
	int err = 0;

	values[0] = 0;
	for (unsigned int i = 1; i < info->nsyms; i++) {
		const Elf64_Sym *sym = &info->syms[i];

		if (sym->st_shndx == SHN_ABS) {
			values[i] = sym->st_value;
		} else if (sym->st_shndx != SHN_UNDEF) {
			values[i] = lo->sec[sym->st_shndx].region == MOD_REGION_NUM
					    ? 0
					    : elf_sec_addr(lo, sym->st_shndx, sym->st_value);
		} else {
			values[i] = resolve(elf_sym_name(info, i), ctx);
			if (!values[i] && ELF64_ST_BIND(sym->st_info) != STB_WEAK) {
				elf_err(info, "unknown symbol %s", elf_sym_name(info, i));
				err = -ENOENT;
			}
		}
	}
	return err;
}

/* Relocation @k of section @i could not be applied: say which and why. */
static int elf_rel_refuse(const struct load_info *info, unsigned int i, unsigned int k,
			  const char *why, u64 s, s64 a, u64 p)
{
	const Elf64_Rela *r = &elf_relas(info, i)[k];

	elf_err(info, "%s at %s+0x%llx against %s: %s (S 0x%llx A %lld P 0x%llx)",
		elf_rel_name(ELF64_R_TYPE(r->r_info)), elf_sec_name(info, info->sechdrs[i].sh_info),
		(unsigned long long)r->r_offset, elf_sym_name(info, ELF64_R_SYM(r->r_info)), why,
		(unsigned long long)s, (long long)a, (unsigned long long)p);
	return -ENOEXEC;
}

static bool elf_sym_usable(const struct load_info *info, const struct elf_layout *lo,
			   unsigned int sym)
{
	unsigned int shndx = info->syms[sym].st_shndx;

	return shndx == SHN_UNDEF || shndx == SHN_ABS || lo->sec[shndx].region != MOD_REGION_NUM;
}

static int elf_apply_rela(const struct load_info *info, const struct elf_layout *lo,
			  const unsigned long *values, unsigned int i, unsigned int k)
{
	const Elf64_Rela *r = &elf_relas(info, i)[k];
	unsigned int target = info->sechdrs[i].sh_info, sym = ELF64_R_SYM(r->r_info);
	u64 s = values[sym], p = elf_sec_addr(lo, target, r->r_offset), v = s + r->r_addend;
	u8 *loc = elf_sec_mem(lo, target, r->r_offset);
	u32 v32;

	if (!elf_sym_usable(info, lo, sym))
		return elf_rel_refuse(info, i, k, "its symbol's section is not loaded", s,
				      r->r_addend, p);
	switch (ELF64_R_TYPE(r->r_info)) {
	case R_X86_64_64:
		memcpy(loc, &v, 8);
		return 0;
	case R_X86_64_32:
		if (v >> 32)
			return elf_rel_refuse(info, i, k, "S + A does not fit in 32 bits unsigned",
					      s, r->r_addend, p);
		break;
	case R_X86_64_32S:
		if ((s64)v != (s32)v)
			return elf_rel_refuse(info, i, k, "S + A does not fit in 32 bits signed", s,
					      r->r_addend, p);
		break;
	default: /* PC32, PLT32: elf_check() let no other type through */
		v -= p;
		if ((s64)v != (s32)v)
			return elf_rel_refuse(
				info, i, k,
				"S + A - P does not fit in 32 bits signed (target out of reach)", s,
				r->r_addend, p);
		break;
	}
	v32 = (u32)v;
	memcpy(loc, &v32, 4);
	return 0;
}

int elf_relocate(const struct load_info *info, const struct elf_layout *lo,
		 const unsigned long *values)
{
	for (unsigned int i = 1; i < info->shnum; i++) {
		const Elf64_Shdr *s = &info->sechdrs[i];

		if (s->sh_type != SHT_RELA || !elf_sec_loaded(info, s->sh_info))
			continue;
		for (unsigned int k = 0; k < s->sh_size / sizeof(Elf64_Rela); k++)
			if (elf_apply_rela(info, lo, values, i, k))
				return -ENOEXEC;
	}
	return 0;
}
