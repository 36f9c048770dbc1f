/*
 * Host tests for kernel/module/elf.c, the module loader's checks and
 * relocations. The good objects are built here, at test time, by the host
 * gcc with the kernel's code-model flags from small C sources that use the
 * real include/kernel/module.h; the bad ones are crafted from a good one in
 * code (a field changed, an entry moved, the file cut short). Every refusal
 * is asserted on its message text, and on nothing having been accepted.
 *
 * The regions are host buffers standing in for the module area: code runs
 * (on paper) at MLT_TEXT_ADDR..., the kernel's exports sit at -2 GiB like
 * the real image, and one symbol, far_away, lies in the vmalloc area, out
 * of reach of a 32-bit PC-relative field.
 */
#include "host_shim.h"

#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../kernel/module/elf.c"
#include "../../lib/sort.c"

#define MLT_REGION_ADDR(r) (0xffffffffa0000000UL + (unsigned long)(r)*0x100000UL)
#define MLT_KERNEL_BASE	   0xffffffff81000000UL
#define MLT_FAR_AWAY	   0xffffc90000000000UL

static char top[PATH_MAX]; /* the source tree: include/kernel/module.h is under it */

/* ---- building objects ---- */

static bool is_top(const char *dir)
{
	char path[PATH_MAX + 32];
	struct stat st;

	snprintf(path, sizeof(path), "%s/include/kernel/module.h", dir);
	return stat(path, &st) == 0;
}

/* The tree: from the executable (top/build/host/x), else the working directory. */
static void find_top(void)
{
	ssize_t n = readlink("/proc/self/exe", top, sizeof(top) - 1);

	if (n > 0) {
		top[n] = '\0';
		for (int up = 0; up < 3; up++)
			*strrchr(top, '/') = '\0';
		if (is_top(top))
			return;
	}
	if (getcwd(top, sizeof(top)) && is_top(top))
		return;
	if (getcwd(top, sizeof(top)) && strlen(top) < sizeof(top) - 8) {
		strcat(top, "/../..");
		if (is_top(top))
			return;
	}
	fail_msg("module_elf_test: cannot find the source tree (include/kernel/module.h)");
}

struct image {
	u8 *data;
	unsigned long len;
};

/* Compile @src with the kernel's flags (+ @extra) into an 8-byte aligned buffer. */
static struct image build(const char *src, const char *extra)
{
	char dir[] = "/tmp/module_elf_test.XXXXXX", cmd[PATH_MAX * 4], path[PATH_MAX];
	struct image img = { 0 };
	FILE *f;
	long len;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/m.c", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(src, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd),
		 "gcc -std=gnu11 -O2 -g -ffreestanding -fno-pic -fno-pie -mcmodel=kernel "
		 "-mno-red-zone -mgeneral-regs-only -fno-stack-protector "
		 "-fno-asynchronous-unwind-tables -fcf-protection=none -fno-common %s "
		 "-I%s/include -I%s/arch/x86/include -I%s -c %s/m.c -o %s/m.o",
		 extra, top, top, top, dir, dir);
	if (system(cmd) != 0)
		fail_msg("could not build a test module: %s", cmd);
	snprintf(path, sizeof(path), "%s/m.o", dir);
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	assert_int_equal(posix_memalign((void **)&img.data, 8, (size_t)len), 0);
	assert_int_equal(fread(img.data, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	img.len = (unsigned long)len;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	return img;
}

/* A module with every region, a call and a data pointer to the kernel, and exports. */
static const char good_src[] =
	"#include \"kernel/module.h\"\n"
	"int printk(const char *fmt, ...);\n"
	"void *memset(void *s, int c, unsigned long n);\n"
	"int counter = 7;\n"
	"static char scratch[5000];\n"
	"static const char hello[] = \"hello from tst\";\n"
	"void *kernel_ptr = (void *)&printk;\n"
	"const char *hello_ptr = hello;\n"
	"int tst_add(int x);\n"
	"int tst_add(int x) { scratch[x & 4095] = 1; return counter += x; }\n"
	"static int tst_init(void) { memset(scratch, 0, 8);"
	" printk(\"%s\\n\", hello); return 0; }\n"
	"static void tst_exit(void) { counter = 0; }\n"
	"MODULE_INIT(tst_init);\n"
	"MODULE_EXIT(tst_exit);\n"
	"MODULE_NAME(\"tst\");\n"
	"EXPORT_SYMBOL(tst_add);\n"
	"EXPORT_SYMBOL(counter);\n";

static struct image good;

static struct image copy_of(struct image src)
{
	struct image img = { NULL, src.len };

	assert_int_equal(posix_memalign((void **)&img.data, 8, src.len), 0);
	memcpy(img.data, src.data, src.len);
	return img;
}

/* ---- running the loader's steps ---- */

/* The kernel's exports, on paper: a few names at -2 GiB, far_away out of reach. */
static unsigned long resolver(const char *name, void *ctx)
{
	static const char *const names[] = { "printk", "memset", "memcpy", "vmalloc" };

	(void)ctx;
	if (!strcmp(name, "far_away") || !strcmp(name, "far_away_fn"))
		return MLT_FAR_AWAY;
	if (!strcmp(name, "edge_lo")) /* S + A == -2^31: the lowest a 32S field holds */
		return 0xffffffff80000000UL;
	if (!strcmp(name, "edge_below"))
		return 0xffffffff7fffffffUL;
	for (unsigned int i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(name, names[i]))
			return MLT_KERNEL_BASE + 0x1000 * (i + 1);
	return 0;
}

struct loaded {
	struct load_info info;
	struct elf_layout lo;
	unsigned long *values;
};

static void unload(struct loaded *l)
{
	for (unsigned int r = 0; r < MOD_REGION_NUM; r++)
		free(l->lo.region[r].mem);
	free(l->lo.sec);
	free(l->values);
	memset(l, 0, sizeof(*l));
}

/* elf_check with the kernel's vermagic, then every later step; the first error. */
static int load(struct image img, struct loaded *l, const char *kernel_vermagic)
{
	int err;

	memset(l, 0, sizeof(*l));
	shim_log_clear();
	err = elf_check(&l->info, img.data, img.len, kernel_vermagic);
	if (err)
		return err;
	l->lo.sec = calloc(l->info.shnum, sizeof(*l->lo.sec));
	l->values = calloc(l->info.nsyms, sizeof(*l->values));
	elf_layout(&l->info, &l->lo);
	for (unsigned int r = 0; r < MOD_REGION_NUM; r++) {
		l->lo.region[r].addr = MLT_REGION_ADDR(r);
		l->lo.region[r].mem = calloc(1, l->lo.region[r].size + 1);
	}
	elf_copy(&l->info, &l->lo);
	err = elf_resolve(&l->info, &l->lo, l->values, resolver, NULL);
	if (!err)
		err = elf_relocate(&l->info, &l->lo, l->values);
	return err;
}

static int load_image(struct image img)
{
	struct loaded l;
	int err = load(img, &l, CONTIG_VERMAGIC);

	unload(&l);
	return err;
}

#define EXPECT_REFUSED(img, want_err, text)                                 \
	do {                                                                \
		int err_ = load_image(img);                                 \
		assert_int_equal(err_, want_err);                           \
		if (!shim_log_has(text))                                    \
			fail_msg("expected \"%s\" in: %s", text, shim_log); \
	} while (0)

/* ---- poking at an image ---- */

static Elf64_Ehdr *ehdr(struct image img)
{
	return (Elf64_Ehdr *)img.data;
}

static Elf64_Shdr *shdr(struct image img, unsigned int i)
{
	return (Elf64_Shdr *)(img.data + ehdr(img)->e_shoff) + i;
}

static const char *sname(struct image img, unsigned int i)
{
	return (const char *)img.data + shdr(img, ehdr(img)->e_shstrndx)->sh_offset +
	       shdr(img, i)->sh_name;
}

static unsigned int find_sec(struct image img, const char *name)
{
	for (unsigned int i = 1; i < ehdr(img)->e_shnum; i++)
		if (!strcmp(sname(img, i), name))
			return i;
	fail_msg("no section %s", name);
	return 0;
}

static unsigned int symtab_index(struct image img)
{
	for (unsigned int i = 1; i < ehdr(img)->e_shnum; i++)
		if (shdr(img, i)->sh_type == SHT_SYMTAB)
			return i;
	fail_msg("no symbol table");
	return 0;
}

static Elf64_Sym *find_sym(struct image img, const char *name)
{
	Elf64_Shdr *st = shdr(img, symtab_index(img));
	Elf64_Sym *syms = (Elf64_Sym *)(img.data + st->sh_offset);
	const char *strtab = (const char *)img.data + shdr(img, st->sh_link)->sh_offset;

	for (unsigned int i = 1; i < st->sh_size / sizeof(Elf64_Sym); i++)
		if (!strcmp(strtab + syms[i].st_name, name))
			return &syms[i];
	fail_msg("no symbol %s", name);
	return NULL;
}

/* Entry @k of the RELA section @name. */
static Elf64_Rela *rela(struct image img, const char *name, unsigned int k)
{
	return (Elf64_Rela *)(img.data + shdr(img, find_sec(img, name))->sh_offset) + k;
}

/* ---- the good module ---- */

static u64 field(const struct loaded *l, unsigned int sec, u64 off, unsigned int width)
{
	u64 v = 0;

	memcpy(&v, elf_sec_mem(&l->lo, sec, off), width);
	return v;
}

/* Every loaded section inside its region, at its alignment, overlapping no other. */
static void check_layout(const struct loaded *l)
{
	for (unsigned int i = 1; i < l->info.shnum; i++) {
		const struct elf_sec_place *a = &l->lo.sec[i];
		const Elf64_Shdr *s = &l->info.sechdrs[i];

		assert_int_equal(a->region == MOD_REGION_NUM, !elf_sec_loaded(&l->info, i));
		if (a->region == MOD_REGION_NUM)
			continue;
		assert_true(a->offset + s->sh_size <= l->lo.region[a->region].size);
		assert_int_equal(a->offset % (s->sh_addralign ? s->sh_addralign : 1), 0);
		assert_int_equal(a->region == MOD_TEXT, !!(s->sh_flags & SHF_EXECINSTR));
		assert_int_equal(a->region == MOD_BSS, s->sh_type == SHT_NOBITS);
		for (unsigned int j = i + 1; j < l->info.shnum; j++) {
			const struct elf_sec_place *b = &l->lo.sec[j];
			const Elf64_Shdr *t = &l->info.sechdrs[j];

			if (b->region == a->region && s->sh_size && t->sh_size)
				assert_true(a->offset + s->sh_size <= b->offset ||
					    b->offset + t->sh_size <= a->offset);
		}
	}
}

/* Every applied relocation holds what its type says, computed here again. */
static void check_every_relocation(const struct loaded *l)
{
	unsigned int checked = 0;

	for (unsigned int i = 1; i < l->info.shnum; i++) {
		const Elf64_Shdr *s = &l->info.sechdrs[i];

		if (s->sh_type != SHT_RELA || !elf_sec_loaded(&l->info, s->sh_info))
			continue;
		for (unsigned int k = 0; k < s->sh_size / sizeof(Elf64_Rela); k++) {
			const Elf64_Rela *r = &elf_relas(&l->info, i)[k];
			u64 sv = l->values[ELF64_R_SYM(r->r_info)] + r->r_addend;
			u64 p = elf_sec_addr(&l->lo, s->sh_info, r->r_offset);
			u32 type = ELF64_R_TYPE(r->r_info);

			if (type == R_X86_64_64)
				assert_true(field(l, s->sh_info, r->r_offset, 8) == sv);
			else if (type == R_X86_64_PC32 || type == R_X86_64_PLT32)
				assert_true(field(l, s->sh_info, r->r_offset, 4) == (u32)(sv - p));
			else
				assert_true(field(l, s->sh_info, r->r_offset, 4) == (u32)sv);
			checked++;
		}
	}
	assert_true(checked >= 8);
}

static void test_good_module_loads(void **state)
{
	struct loaded l;
	unsigned int data, ksym;
	u64 v;

	(void)state;
	assert_int_equal(load(good, &l, CONTIG_VERMAGIC), 0);
	assert_string_equal(l.info.name, "tst");
	assert_int_not_equal(l.info.init_sym, 0);
	assert_int_not_equal(l.info.exit_sym, 0);
	assert_int_not_equal(l.info.ksymtab_index, 0);
	assert_false(elf_sec_loaded(&l.info, l.info.modinfo_index));
	for (unsigned int r = 0; r < MOD_REGION_NUM; r++)
		assert_true(l.lo.region[r].size > 0);
	assert_true(l.lo.region[MOD_BSS].size >= 5000);
	/* init_module is tst_init, in text */
	assert_true(l.values[l.info.init_sym] >= MLT_REGION_ADDR(MOD_TEXT) &&
		    l.values[l.info.init_sym] <
			    MLT_REGION_ADDR(MOD_TEXT) + l.lo.region[MOD_TEXT].size);
	/* kernel_ptr = &printk: an R_X86_64_64 in .data */
	data = find_sec(good, ".data");
	v = field(&l, data, find_sym(good, "kernel_ptr")->st_value, 8);
	assert_true(v == MLT_KERNEL_BASE + 0x1000);
	/* the exports point at the module's own function and variable */
	ksym = l.info.ksymtab_index;
	v = field(&l, ksym, 0, 8) ^ field(&l, ksym, 16, 8);
	assert_true(v == (l.values[find_sym(good, "tst_add") - l.info.syms] ^
			  l.values[find_sym(good, "counter") - l.info.syms]));
	check_layout(&l);
	check_every_relocation(&l);
	assert_string_equal(shim_log, "");
	unload(&l);
}

/* ---- refusals: the header ---- */

static void test_truncated_at_every_length(void **state)
{
	(void)state;
	for (unsigned long len = 0; len < good.len; len++) {
		struct image img = copy_of(good);

		img.len = len;
		img.data = realloc(img.data, len ? len : 1);
		assert_int_equal(load_image(img), -ENOEXEC);
		assert_true(shim_log_has("module"));
		free(img.data);
	}
}

static void test_header_fields(void **state)
{
	struct {
		unsigned int off, value;
		const char *text;
	} cases[] = {
		{ 0, 0x7e, "not an ELF file (magic 7e 45 4c 46, want 7f 45 4c 46)" },
		{ 4, 1, "ELF class 1, want ELFCLASS64 (2)" },
		{ 5, 2, "ELF data encoding 2, want little-endian (1)" },
		{ 6, 0, "ELF version 0/1, want 1" },
		{ 16, 2, "ELF type 2, want ET_REL (1): a module is a relocatable object" },
		{ 18, 40, "ELF machine 40, want x86-64 (62)" },
		{ 58, 32, "header size 64 and section header size 32, want 64 and 64" },
	};

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
		struct image img = copy_of(good);

		img.data[cases[i].off] = (u8)cases[i].value;
		EXPECT_REFUSED(img, -ENOEXEC, cases[i].text);
		free(img.data);
	}
}

static void test_section_table_bounds(void **state)
{
	struct image img = copy_of(good);
	char text[160];

	(void)state;
	ehdr(img)->e_shoff = img.len - 64;
	snprintf(text, sizeof(text), "section header table [0x%lx-0x%lx) not 8-byte aligned inside",
		 img.len - 64, img.len - 64 + ehdr(good)->e_shnum * 64UL);
	EXPECT_REFUSED(img, -ENOEXEC, text);
	memcpy(img.data, good.data, img.len);
	ehdr(img)->e_shstrndx = ehdr(img)->e_shnum;
	EXPECT_REFUSED(img, -ENOEXEC, "section name table index");
	memcpy(img.data, good.data, img.len);
	ehdr(img)->e_shnum = 0;
	EXPECT_REFUSED(img, -ENOEXEC, "0 sections, want 1 to 1024");
	memcpy(img.data, good.data, img.len);
	shdr(img, 3)->sh_name = 0x7fffffff;
	EXPECT_REFUSED(img, -ENOEXEC,
		       "section 3: name offset 2147483647 outside the section name table");
	free(img.data);
}

static void test_misaligned_image(void **state)
{
	u8 *buf = malloc(good.len + 8);
	struct image img = { buf + 4, good.len };

	(void)state;
	memcpy(img.data, good.data, good.len);
	EXPECT_REFUSED(img, -ENOEXEC, "is not 8-byte aligned");
	free(buf);
}

/* ---- refusals: sections ---- */

static void test_section_past_the_end(void **state)
{
	struct image img = copy_of(good);
	unsigned int text = find_sec(img, ".text");
	char want[160];

	(void)state;
	shdr(img, text)->sh_offset = img.len - 4;
	snprintf(want, sizeof(want),
		 "section .text: contents [0x%lx-0x%lx) outside the image (%lu bytes)", img.len - 4,
		 img.len - 4 + shdr(good, text)->sh_size, img.len);
	EXPECT_REFUSED(img, -ENOEXEC, want);
	memcpy(img.data, good.data, img.len);
	shdr(img, text)->sh_size = ~0ULL - 8; /* offset + size wraps */
	EXPECT_REFUSED(img, -ENOEXEC, "section .text: contents");
	free(img.data);
}

/*
 * Bug (found by the module fuzz target): an empty section was not bounds
 * checked, and the loader formed a pointer from an empty symbol table's
 * offset far past the image (undefined behaviour, UBSan stopped on it).
 */
static void test_empty_section_offset_past_the_end(void **state)
{
	struct image img = copy_of(good);
	unsigned int sym = symtab_index(img);
	char want[160];

	(void)state;
	shdr(img, sym)->sh_size = 0;
	shdr(img, sym)->sh_offset = ~0ULL - 0x97;
	snprintf(want, sizeof(want),
		 "section .symtab: contents [0x%llx-0x%llx) outside the image (%lu bytes)",
		 (unsigned long long)(~0ULL - 0x97), (unsigned long long)(~0ULL - 0x97), img.len);
	EXPECT_REFUSED(img, -ENOEXEC, want);
	free(img.data);
}

static void test_overlapping_sections(void **state)
{
	struct image img = copy_of(good);
	unsigned int text = find_sec(img, ".text"), rodata = find_sec(img, ".rodata");
	char want[160];

	(void)state;
	shdr(img, rodata)->sh_offset = shdr(img, text)->sh_offset + 1;
	EXPECT_REFUSED(img, -ENOEXEC, "overlap in the file");
	assert_true(shim_log_has(".text ["));
	memcpy(img.data, good.data, img.len);
	shdr(img, text)->sh_offset = 8; /* over the ELF header */
	snprintf(want, sizeof(want),
		 ".text [0x8-0x%llx) and ELF header [0x0-0x40) overlap in the file",
		 (unsigned long long)(8 + shdr(img, text)->sh_size));
	EXPECT_REFUSED(img, -ENOEXEC, want);
	free(img.data);
}

static void test_bad_section_kinds(void **state)
{
	struct image img = copy_of(good);
	unsigned int data = find_sec(img, ".data"), text = find_sec(img, ".text");

	(void)state;
	shdr(img, data)->sh_flags |= SHF_EXECINSTR;
	EXPECT_REFUSED(img, -ENOEXEC, "section .data is both writable and executable");
	memcpy(img.data, good.data, img.len);
	shdr(img, text)->sh_addralign = 24;
	EXPECT_REFUSED(img, -ENOEXEC,
		       "section .text: alignment 0x18 is not a power of two up to 0x1000");
	memcpy(img.data, good.data, img.len);
	shdr(img, data)->sh_type = 14; /* SHT_INIT_ARRAY */
	EXPECT_REFUSED(img, -ENOEXEC, "section .data: type 0xe cannot be loaded");
	memcpy(img.data, good.data, img.len);
	shdr(img, find_sec(img, ".rela.text"))->sh_type = SHT_REL;
	EXPECT_REFUSED(img, -ENOEXEC, "section .rela.text: SHT_REL relocations are not supported");
	free(img.data);
}

static void test_string_tables(void **state)
{
	struct image img = copy_of(good);
	Elf64_Shdr *shstr = shdr(img, ehdr(img)->e_shstrndx);
	Elf64_Shdr *strtab = shdr(img, shdr(img, symtab_index(img))->sh_link);

	(void)state;
	img.data[shstr->sh_offset + shstr->sh_size - 1] = 'x';
	EXPECT_REFUSED(img, -ENOEXEC, "section name table (section");
	assert_true(shim_log_has("does not end with a NUL"));
	memcpy(img.data, good.data, img.len);
	img.data[strtab->sh_offset + strtab->sh_size - 1] = 'x';
	EXPECT_REFUSED(img, -ENOEXEC, "symbol string table (section");
	free(img.data);
}

/* ---- refusals: .modinfo ---- */

static void test_vermagic_mismatch(void **state)
{
	struct loaded l;
	char want[256];

	(void)state;
	assert_int_equal(load(good, &l, "contig-0.0 other"), -ENOEXEC);
	snprintf(want, sizeof(want),
		 "module tst: vermagic \"%s\" does not match the kernel's \"contig-0.0 other\"",
		 CONTIG_VERMAGIC);
	if (!shim_log_has(want))
		fail_msg("expected \"%s\" in: %s", want, shim_log);
	unload(&l);
}

static void test_name_and_init_required(void **state)
{
	struct image img;

	(void)state;
	img = build("#include \"kernel/module.h\"\n"
		    "static int f(void) { return 0; }\nMODULE_INIT(f);\n",
		    "");
	EXPECT_REFUSED(img, -ENOEXEC, "module: no .modinfo section (MODULE_NAME missing)");
	free(img.data);
	img = build("#include \"kernel/module.h\"\nint x;\nMODULE_NAME(\"noinit\");\n", "");
	EXPECT_REFUSED(img, -ENOEXEC, "module noinit: no init function (MODULE_INIT missing)");
	free(img.data);
	img = build(
		"#include \"kernel/module.h\"\n"
		"static int f(void) { return 0; }\nMODULE_INIT(f);\nMODULE_NAME(\"bad name\");\n",
		"");
	EXPECT_REFUSED(img, -ENOEXEC, "module: name \"bad name\" is not 1 to 55 letters");
	free(img.data);
}

/* ---- refusals: symbols ---- */

static void test_common_symbol(void **state)
{
	struct image img = build("#include \"kernel/module.h\"\nint shared_var;\n"
				 "static int f(void) { return shared_var; }\n"
				 "MODULE_INIT(f);\nMODULE_NAME(\"cmn\");\n",
				 "-fcommon");

	(void)state;
	EXPECT_REFUSED(img, -ENOEXEC,
		       "module cmn: common symbol shared_var, build with -fno-common");
	free(img.data);
}

static void test_symbol_fields(void **state)
{
	struct image img = copy_of(good);

	(void)state;
	find_sym(img, "tst_add")->st_shndx = 0x3ff;
	EXPECT_REFUSED(img, -ENOEXEC,
		       "module tst: symbol tst_add: section index 0x3ff out of range");
	memcpy(img.data, good.data, img.len);
	find_sym(img, "tst_add")->st_value = 1 << 20;
	EXPECT_REFUSED(img, -ENOEXEC, "symbol tst_add: value 0x100000 outside its section .text");
	memcpy(img.data, good.data, img.len);
	find_sym(img, "tst_add")->st_name = 1 << 30;
	EXPECT_REFUSED(img, -ENOEXEC, "name offset 1073741824 outside the string table");
	memcpy(img.data, good.data, img.len);
	shdr(img, symtab_index(img))->sh_entsize = 16;
	EXPECT_REFUSED(img, -ENOEXEC, "section .symtab: entry size 16");
	free(img.data);
}

static void test_unknown_symbol(void **state)
{
	struct image img = build("#include \"kernel/module.h\"\nvoid nobody_has_this(void);\n"
				 "static int f(void) { nobody_has_this(); return 0; }\n"
				 "MODULE_INIT(f);\nMODULE_NAME(\"unk\");\n",
				 "");

	(void)state;
	EXPECT_REFUSED(img, -ENOENT, "module unk: unknown symbol nobody_has_this");
	free(img.data);
}

/* The symbol table's entry @i. */
static Elf64_Sym *sym_at(struct image img, unsigned int i)
{
	return (Elf64_Sym *)(img.data + shdr(img, symtab_index(img))->sh_offset) + i;
}

/* Point .rela.text entry 0 at symbol 0 with relocation @type and addend @addend. */
static void rela_against_null(struct image img, u32 type, s64 addend)
{
	rela(img, ".rela.text", 0)->r_info = type;
	rela(img, ".rela.text", 0)->r_addend = addend;
}

/* Bug: entry 0 was never checked, so its section index went unchecked into
 * lo->sec[] when a relocation used it (a heap overflow under ASan). */
static void test_null_symbol_with_a_bad_section_index(void **state)
{
	struct image img = copy_of(good);
	char want[160];

	(void)state;
	sym_at(img, 0)->st_shndx = ehdr(img)->e_shnum + 3;
	rela_against_null(img, R_X86_64_PC32, -4);
	snprintf(
		want, sizeof(want),
		"module tst: symbol 0 (name 0, section %#x, info 0, value 0x0) is not the all-zero null symbol",
		ehdr(img)->e_shnum + 3);
	EXPECT_REFUSED(img, -ENOEXEC, want);
	free(img.data);
}

/* Bug: entry 0's name offset went unchecked into the refusal message of a
 * relocation against it (a wild read: segfault). */
static void test_null_symbol_with_a_wild_name(void **state)
{
	struct image img = copy_of(good);
	unsigned int modinfo = find_sec(img, ".modinfo");
	char want[160];

	(void)state;
	sym_at(img, 0)->st_name = 0x7ffffff0;
	sym_at(img, 0)->st_shndx = modinfo; /* not loaded: the relocation is refused by name */
	rela_against_null(img, R_X86_64_PC32, -4);
	snprintf(
		want, sizeof(want),
		"symbol 0 (name 2147483632, section %#x, info 0, value 0x0) is not the all-zero null symbol",
		modinfo);
	EXPECT_REFUSED(img, -ENOEXEC, want);
	free(img.data);
}

/* Bug: a relocation against the null symbol was applied (as S = 0). */
static void test_relocation_against_the_null_symbol(void **state)
{
	struct image img = copy_of(good);

	(void)state;
	rela_against_null(img, R_X86_64_64, 0);
	EXPECT_REFUSED(img, -ENOEXEC,
		       ".rela.text entry 0: R_X86_64_64 against symbol 0, the null symbol");
	free(img.data);
}

/* The last field a section holds: r_offset + width == sh_size is in. */
static void test_relocation_ending_at_the_section_end(void **state)
{
	struct image img = copy_of(good);
	unsigned int text = find_sec(img, ".text");
	Elf64_Rela *r = rela(img, ".rela.text", 0);
	unsigned int width = elf_rel_width(ELF64_R_TYPE(r->r_info));

	(void)state;
	assert_int_equal(width, 4);
	r->r_offset = shdr(img, text)->sh_size - width;
	assert_int_equal(load_image(img), 0);
	assert_string_equal(shim_log, "");
	r->r_offset++;
	EXPECT_REFUSED(img, -ENOEXEC, "runs past its section .text");
	free(img.data);
}

/* R_X86_64_32S takes S + A down to -2^31 and not one below. */
static void test_32s_negative_boundary(void **state)
{
	static const char src[] = "#include \"kernel/module.h\"\n"
				  "extern char %s[];\n"
				  "void *ptr(void);\nvoid *ptr(void) { return %s; }\n"
				  "static int f(void) { return 0; }\n"
				  "MODULE_INIT(f);\nMODULE_NAME(\"edge\");\n";
	char code[512];
	struct image img;

	(void)state;
	snprintf(code, sizeof(code), src, "edge_lo", "edge_lo");
	img = build(code, "");
	assert_int_equal(load_image(img), 0);
	assert_string_equal(shim_log, "");
	free(img.data);
	snprintf(code, sizeof(code), src, "edge_below", "edge_below");
	img = build(code, "");
	EXPECT_REFUSED(img, -ENOEXEC, "module edge: R_X86_64_32S at .text+");
	assert_true(shim_log_has("against edge_below: S + A does not fit in 32 bits signed "
				 "(S 0xffffffff7fffffff A 0"));
	free(img.data);
}

static void test_plt32_overflow(void **state)
{
	struct image img = build("#include \"kernel/module.h\"\nvoid far_away_fn(void);\n"
				 "static int f(void) { far_away_fn(); return 0; }\n"
				 "MODULE_INIT(f);\nMODULE_NAME(\"farcall\");\n",
				 "");

	(void)state;
	EXPECT_REFUSED(img, -ENOEXEC, "module farcall: R_X86_64_PLT32 at .text+");
	assert_true(shim_log_has("against far_away_fn: S + A - P does not fit in 32 bits signed"));
	free(img.data);
}

/* ---- refusals: relocations ---- */

static void test_relocation_fields(void **state)
{
	struct image img = copy_of(good);
	unsigned int text = find_sec(img, ".text");
	char want[160];

	(void)state;
	rela(img, ".rela.text", 0)->r_offset = shdr(img, text)->sh_size - 2;
	snprintf(want, sizeof(want), "at offset 0x%llx runs past its section .text (0x%llx bytes)",
		 (unsigned long long)shdr(img, text)->sh_size - 2,
		 (unsigned long long)shdr(img, text)->sh_size);
	EXPECT_REFUSED(img, -ENOEXEC, want);
	memcpy(img.data, good.data, img.len);
	rela(img, ".rela.text", 0)->r_info = (rela(img, ".rela.text", 0)->r_info & ~0xffffffffULL) |
					     9;
	EXPECT_REFUSED(img, -ENOEXEC, ".rela.text entry 0: relocation type 9 not supported");
	memcpy(img.data, good.data, img.len);
	rela(img, ".rela.text", 0)->r_info = (0xfffffULL << 32) | R_X86_64_PC32;
	EXPECT_REFUSED(img, -ENOEXEC, ".rela.text entry 0: symbol index 1048575 out of range");
	memcpy(img.data, good.data, img.len);
	shdr(img, find_sec(img, ".rela.text"))->sh_info = 999;
	EXPECT_REFUSED(img, -ENOEXEC, "section .rela.text: target section 999 out of range");
	memcpy(img.data, good.data, img.len);
	shdr(img, find_sec(img, ".rela.text"))->sh_link = 1;
	EXPECT_REFUSED(img, -ENOEXEC, "section .rela.text: symbol table index 1, want");
	memcpy(img.data, good.data, img.len);
	shdr(img, find_sec(img, ".rela.text"))->sh_info = find_sec(img, ".bss");
	EXPECT_REFUSED(img, -ENOEXEC, "relocations into .bss, which has no contents");
	free(img.data);
}

static void test_pc32_overflow(void **state)
{
	struct image img = build("#include \"kernel/module.h\"\nextern int far_away;\n"
				 "static int f(void) { return far_away; }\n"
				 "MODULE_INIT(f);\nMODULE_NAME(\"far\");\n",
				 "");

	(void)state;
	EXPECT_REFUSED(img, -ENOEXEC, "module far: R_X86_64_PC32 at .text+");
	assert_true(shim_log_has("against far_away: S + A - P does not fit in 32 bits signed"));
	assert_true(shim_log_has("(S 0xffffc90000000000 A -4 P 0xffffffffa0000"));
	free(img.data);
}

static void test_abs32_overflow(void **state)
{
	struct image img =
		build("#include \"kernel/module.h\"\n"
		      "__asm__(\".pushsection .rodata\\n.long printk\\n.popsection\\n\");\n"
		      "static int f(void) { return 0; }\n"
		      "MODULE_INIT(f);\nMODULE_NAME(\"abs\");\n",
		      "");

	(void)state;
	EXPECT_REFUSED(
		img, -ENOEXEC,
		"module abs: R_X86_64_32 at .rodata+0x0 against printk: S + A does not fit in "
		"32 bits unsigned (S 0xffffffff81001000 A 0 P 0xffffffffa0100000)");
	free(img.data);
}

static void test_32s_overflow(void **state)
{
	struct image img = build("#include \"kernel/module.h\"\n"
				 "extern int far_away;\n"
				 "int *ptr(void);\nint *ptr(void) { return &far_away; }\n"
				 "static int f(void) { return 0; }\n"
				 "MODULE_INIT(f);\nMODULE_NAME(\"abs\");\n",
				 "");

	(void)state;
	EXPECT_REFUSED(img, -ENOEXEC, "module abs: R_X86_64_32S at .text+");
	assert_true(shim_log_has("against far_away: S + A does not fit in 32 bits signed "
				 "(S 0xffffc90000000000 A 0 P 0xffffffffa00000"));
	free(img.data);
}

/* ---- sorting a module's symbols ---- */

static unsigned long sort_compares;

/* The loader's order (kernel/module/main.c): by address, then name pointer. */
static int counting_symbol_cmp(const void *a, const void *b)
{
	const struct module_symbol *x = a, *y = b;

	sort_compares++;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->name < y->name ? -1 : x->name > y->name;
}

/* Bug: the kept symbols were sorted by insertion sort, O(n^2): a crafted
 * module with 100k symbols stalled the loader. sort() is O(n log n). */
static void test_sorting_100k_symbols_is_n_log_n(void **state)
{
	const unsigned int n = 100000;
	struct module_symbol *syms = calloc(n, sizeof(*syms));
	char *names = calloc(n, 1);

	(void)state;
	assert_non_null(syms);
	assert_non_null(names);
	for (unsigned int i = 0; i < n; i++) { /* descending, in runs of 4 aliases */
		syms[i].addr = 0xffffffffa0000000UL + (n - i) / 4 * 16;
		syms[i].name = &names[i];
	}
	sort(syms, n, sizeof(*syms), counting_symbol_cmp);
	for (unsigned int i = 1; i < n; i++)
		assert_true(syms[i - 1].addr < syms[i].addr ||
			    (syms[i - 1].addr == syms[i].addr && syms[i - 1].name < syms[i].name));
	print_message("sorting %u symbols: %lu comparisons\n", n, sort_compares);
	assert_true(sort_compares <= 2UL * n * 17); /* 2 n log2(n) */
	free(names);
	free(syms);
}

/* ---- random damage ---- */

static void test_random_damage(void **state)
{
	unsigned int seed = 17, accepted = 0;

	(void)state;
	for (unsigned int round = 0; round < 3000; round++) {
		struct image img = copy_of(good);
		unsigned int n = 1 + rand_r(&seed) % 8;

		for (unsigned int k = 0; k < n; k++)
			img.data[rand_r(&seed) % img.len] = (u8)rand_r(&seed);
		if (load_image(img) == 0)
			accepted++;
		else
			assert_true(shim_log_has("module"));
		free(img.data);
	}
	print_message("random damage: %u of 3000 damaged images still loaded\n", accepted);
}

static int setup(void **state)
{
	(void)state;
	find_top();
	good = build(good_src, "");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(good.data);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_module_loads),
		cmocka_unit_test(test_truncated_at_every_length),
		cmocka_unit_test(test_header_fields),
		cmocka_unit_test(test_section_table_bounds),
		cmocka_unit_test(test_misaligned_image),
		cmocka_unit_test(test_section_past_the_end),
		cmocka_unit_test(test_empty_section_offset_past_the_end),
		cmocka_unit_test(test_overlapping_sections),
		cmocka_unit_test(test_bad_section_kinds),
		cmocka_unit_test(test_string_tables),
		cmocka_unit_test(test_vermagic_mismatch),
		cmocka_unit_test(test_name_and_init_required),
		cmocka_unit_test(test_common_symbol),
		cmocka_unit_test(test_symbol_fields),
		cmocka_unit_test(test_unknown_symbol),
		cmocka_unit_test(test_relocation_fields),
		cmocka_unit_test(test_pc32_overflow),
		cmocka_unit_test(test_abs32_overflow),
		cmocka_unit_test(test_32s_overflow),
		cmocka_unit_test(test_null_symbol_with_a_bad_section_index),
		cmocka_unit_test(test_null_symbol_with_a_wild_name),
		cmocka_unit_test(test_relocation_against_the_null_symbol),
		cmocka_unit_test(test_relocation_ending_at_the_section_end),
		cmocka_unit_test(test_32s_negative_boundary),
		cmocka_unit_test(test_plt32_overflow),
		cmocka_unit_test(test_sorting_100k_symbols_is_n_log_n),
		cmocka_unit_test(test_random_damage),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
