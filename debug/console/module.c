/*
 * Console commands for loadable modules (kernel/module/):
 *
 *	insmod NAME|ADDR  load a GRUB module (`module2 FILE NAME` in grub.cfg)
 *	                  by NAME, or the one whose image starts at physical ADDR
 *	rmmod NAME        unload a module (refused while another one uses it)
 *	lsmod             the loaded modules, in /proc/modules' format:
 *	                  name size refcount users state address
 *
 * The loader says why it refused a module (one "module: ..." line); these
 * commands add the outcome with the error's name, and list the GRUB modules
 * when a name matches none.
 */
#include "debug/console/internal.h"
#include "kernel/boot_modules.h"
#include "kernel/errno.h"
#include "kernel/module.h"
#include "lib/string.h"
#include "lib/vsprintf.h"

/* "-EBUSY" for -16, and so on; "error -N" for the rest. */
static const char *mod_errname(int err, char *buf, size_t len)
{
	static const struct {
		int err;
		const char *name;
	} names[] = {
		{ -ENOENT, "-ENOENT" }, { -EIO, "-EIO" },	  { -ENOMEM, "-ENOMEM" },
		{ -EBUSY, "-EBUSY" },	{ -EEXIST, "-EEXIST" },	  { -ENODEV, "-ENODEV" },
		{ -EINVAL, "-EINVAL" }, { -ENOEXEC, "-ENOEXEC" }, { -ERANGE, "-ERANGE" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].err == err)
			return names[i].name;
	snprintf(buf, len, "error %d", err);
	return buf;
}

static void con_list_boot_modules(void)
{
	const struct boot_module *bm;

	if (!boot_module_get(0)) {
		con_printf(
			"  (GRUB loaded no module: build with MODULES=all or MODULES=NAME,...)\n");
		return;
	}
	con_printf("  GRUB modules:");
	for (unsigned int i = 0; (bm = boot_module_get(i)); i++)
		con_printf(" %s@%#x", bm->name, bm->start);
	con_printf("\n");
}

/* The GRUB module @arg names: a name, else a physical start address. */
static const struct boot_module *con_boot_module(const char *arg)
{
	const struct boot_module *bm = boot_module_find(arg);
	unsigned long phys;

	if (bm)
		return bm;
	if ((arg[0] >= '0' && arg[0] <= '9') &&
	    !con_parse("insmod", "address", arg, CON_ADDR, &phys)) {
		bm = boot_module_at(phys);
		if (!bm)
			con_printf("insmod: no GRUB module image starts at physical %#lx\n", phys);
	} else {
		con_printf("insmod: no GRUB module called \"%s\"\n", arg);
	}
	if (!bm)
		con_list_boot_modules();
	return bm;
}

static int cmd_insmod(int argc, char **argv)
{
	const struct boot_module *bm = con_boot_module(argv[1]);
	char buf[24];
	int ret;

	if (!bm)
		return -EINVAL;
	ret = boot_module_load(bm);
	if (ret) {
		con_printf("insmod: %s (%u bytes at %#x): %s\n", bm->name, bm->end - bm->start,
			   bm->start, mod_errname(ret, buf, sizeof(buf)));
		return ret == -ENOMEM ? -ENOMEM : -EINVAL;
	}
	return 0;
}
CONSOLE_CMD(insmod, "NAME|ADDR", "load a GRUB module by its name or its physical address",
	    cmd_insmod, .min_args = 1, .max_args = 1,
	    .details = "NAME is the module's command line in grub.cfg (make MODULES=all puts\n"
		       "every module there); ADDR the physical address its image starts at.\n"
		       "Refused with the loader's reason: -EEXIST (loaded already), -ENOENT\n"
		       "(a symbol no one exports), -ENOEXEC (bad image or vermagic).");

static int cmd_rmmod(int argc, char **argv)
{
	char buf[24];
	int ret;

	if (strlen(argv[1]) >= MODULE_NAME_LEN) {
		con_printf("rmmod: \"%s\" is longer than a module name (%d characters)\n", argv[1],
			   MODULE_NAME_LEN - 1);
		return -EINVAL;
	}
	ret = delete_module(argv[1]);
	if (ret == -ENOENT)
		con_printf("rmmod: no module \"%s\" is loaded (-ENOENT)\n", argv[1]);
	else if (ret == -EBUSY)
		con_printf("rmmod: %s is in use (-EBUSY): see its users in lsmod\n", argv[1]);
	else if (ret)
		con_printf("rmmod: %s: %s\n", argv[1], mod_errname(ret, buf, sizeof(buf)));
	else
		con_printf("rmmod: %s unloaded\n", argv[1]);
	return ret ? -EINVAL : 0;
}
CONSOLE_CMD(rmmod, "NAME", "unload a module (not while another module uses it)", cmd_rmmod,
	    .min_args = 1, .max_args = 1);

static int cmd_lsmod(int argc, char **argv)
{
	if (list_empty(&modules)) {
		con_printf("(no module loaded)\n");
		con_list_boot_modules();
		return 0;
	}
	lsmod_dump();
	return 0;
}
CONSOLE_CMD(lsmod, "", "the loaded modules: name size refcount users state address", cmd_lsmod,
	    .details = "The format of Linux's /proc/modules: users is \"-\" or the names of\n"
		       "the modules using this one, state Live, Loading or Unloading, address\n"
		       "the start of its text.");
