/*
 * GRUB's module images, found by name and handed to the loader
 * (include/kernel/boot_modules.h). The images are read where GRUB put them,
 * through the direct map: memblock reserved their frames, so they stay
 * intact for the life of the kernel and a module can be loaded, unloaded
 * and loaded again.
 */
#include "kernel/boot_modules.h"
#include "kernel/cmdline.h"
#include "kernel/module.h"
#include "kernel/printk.h"
#include "lib/match.h"
#include "lib/string.h"
#include "mm/memlayout.h"
#include "asm/page.h"

const struct boot_module *boot_module_get(unsigned int i)
{
	return i < boot_info.nr_modules ? &boot_info.modules[i] : NULL;
}

const struct boot_module *boot_module_find(const char *name)
{
	for (unsigned int i = 0; i < boot_info.nr_modules; i++)
		if (!strcmp(boot_info.modules[i].name, name))
			return &boot_info.modules[i];
	return NULL;
}

const struct boot_module *boot_module_at(phys_addr_t phys)
{
	for (unsigned int i = 0; i < boot_info.nr_modules; i++)
		if (boot_info.modules[i].start == phys)
			return &boot_info.modules[i];
	return NULL;
}

int boot_module_load(const struct boot_module *bm)
{
	return load_module(__va((phys_addr_t)bm->start), bm->end - bm->start, NULL);
}

/* Does modules=@list name @name? */
static bool boot_modules_wanted(const char *list, const char *name)
{
	return !strcmp(list, "all") || list_match(list, name);
}

/* Report each item of @list that names no GRUB module; return how many. */
static int boot_modules_unmatched(const char *list)
{
	char item[CMDLINE_STR_MAX];
	int missing = 0;

	if (!strcmp(list, "all"))
		return 0;
	for (const char *p = list; *p;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		bool found = false;

		if (n) {
			memcpy(item, p, n); /* n < sizeof(item): @list came from the command line */
			item[n] = '\0';
			for (unsigned int i = 0; i < boot_info.nr_modules && !found; i++)
				found = glob_match(item, boot_info.modules[i].name);
			if (!found) {
				pr_err("modules=: no GRUB module matches \"%s\" (%u GRUB modules)\n",
				       item, boot_info.nr_modules);
				missing++;
			}
		}
		p += n + (p[n] == ',');
	}
	return missing;
}

int boot_modules_load(const char *list)
{
	int failed;

	if (!list[0])
		return 0;
	failed = boot_modules_unmatched(list);
	for (unsigned int i = 0; i < boot_info.nr_modules; i++) {
		const struct boot_module *bm = &boot_info.modules[i];
		int ret;

		if (!boot_modules_wanted(list, bm->name))
			continue;
		ret = boot_module_load(bm);
		if (ret) {
			pr_err("modules=: GRUB module \"%s\" (%u bytes at %#x) not loaded: error %d\n",
			       bm->name, bm->end - bm->start, bm->start, ret);
			failed++;
		}
	}
	return failed;
}
