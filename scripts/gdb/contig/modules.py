# modules: contig-lsmod (the console's lsmod, /proc/modules' format) and
# contig-symbols (each loaded module's symbols at its load addresses, the way
# Linux's lx-symbols does it).
#
# Modules are read from kernel/module/'s `modules` list (struct module.list,
# most recent first). contig-symbols finds NAME.ko in build/modules/ (beside
# the ELF, or the directories given) and runs
#   add-symbol-file NAME.ko TEXT -s SECTION ADDR ...
# with every SHF_ALLOC section the loader placed (struct module.sections), so
# that GDB knows the module's functions, variables and source lines; TEXT is
# the address the loader recorded for .text (which need not start the text
# region). A module loaded again (any section placed elsewhere, even with
# its text at the same address) is re-added; one unloaded is removed.

import os

import gdb

from contig.utils import ContigCommand, at, err, field_offset, list_walk, symbol_value, ulong, value_int

STATES = {0: "Loading", 1: "Live", 2: "Unloading"}
REGIONS = ("text", "rodata", "data", "bss")

# Symbol files contig-symbols added: module name -> (file, .text address,
# every (section, address) the loader recorded).
_added = {}


def loaded_modules():
    """(address, struct module value) of every loaded module, most recent first."""
    off = field_offset("struct module", "list")
    head = ulong(symbol_value("modules").address)
    return [(node - off, at(node - off, "struct module")) for node in list_walk(head)]


def module_users(mod):
    """Names of the modules using @mod (its `users` list of struct module_use)."""
    try:
        use_t = gdb.lookup_type("struct module_use")
    except gdb.error:
        return []
    names = []
    off = field_offset("struct module_use", "target_list")
    for node in list_walk(ulong(mod["users"].address)):
        use = gdb.Value(node - off).cast(use_t.pointer()).dereference()
        names.append(use["source"]["name"].string())
    return names


def module_text(mod):
    return ulong(mod["region"][0]["base"])


class ContigLsmod(ContigCommand):
    """The loaded modules, as the console's lsmod (Linux's /proc/modules format).
Usage: contig-lsmod
Each line: name size refcount users state address, users being '-' or the
names of the modules using this one, followed by the four regions."""

    name = "contig-lsmod"

    def run(self, argv):
        self.no_args(argv)
        mods = loaded_modules()
        if not mods:
            gdb.write("(no module loaded)\n")
            return
        for _, mod in mods:
            users = module_users(mod)
            gdb.write("%s %d %d %s %s 0x%016x\n"
                      % (mod["name"].string(), value_int(mod["size"]),
                         value_int(mod["refcount"]) + value_int(mod["nr_users"]),
                         "".join(u + "," for u in users) or "-",
                         STATES.get(value_int(mod["state"]), "?"), module_text(mod)))
            regions = []
            for i, what in enumerate(REGIONS):
                base, size = ulong(mod["region"][i]["base"]), ulong(mod["region"][i]["size"])
                if base:
                    regions.append("%s 0x%016x+0x%x" % (what, base, size))
            gdb.write("  %s\n" % ", ".join(regions))


def module_sections(mod):
    """(name, address) of every section the loader placed, in its order."""
    out = []
    for i in range(value_int(mod["nr_sections"])):
        sec = mod["sections"][i]
        out.append((sec["name"].string(), ulong(sec["addr"])))
    return out


def module_text_section(mod, secs):
    """Where the loader put @mod's .text section (the text region's base if none)."""
    for name, addr in secs:
        if name == ".text" and addr:
            return addr
    return module_text(mod)


def find_ko(name, dirs):
    for d in dirs:
        path = os.path.join(d, name + ".ko")
        if os.path.isfile(path):
            return path
    return None


def default_dirs():
    elf = gdb.objfiles()[0].filename if gdb.objfiles() else ""
    return [os.path.join(os.path.dirname(elf), "modules"), os.path.join("build", "modules")]


class ContigSymbols(ContigCommand):
    """Load every loaded module's symbols at its load addresses (Linux's lx-symbols).
Usage: contig-symbols [DIR...]
Finds NAME.ko in DIR... (default: modules/ beside the ELF, then build/modules)
and adds it with add-symbol-file, giving each section's address. Run it again
after a module is loaded or unloaded: symbols of gone modules are removed,
moved ones re-added."""

    name = "contig-symbols"

    def run(self, argv):
        dirs = argv or default_dirs()
        live = {}
        for _, mod in loaded_modules():
            live[mod["name"].string()] = mod
        placed = {n: tuple(module_sections(m)) for n, m in live.items()}
        for name in [n for n in _added if n not in live or _added[n][2] != placed[n]]:
            path, text, _ = _added.pop(name)
            gdb.execute("remove-symbol-file -a 0x%x" % text, to_string=True)
            gdb.write("contig-symbols: %s: removed the symbols at 0x%016x\n" % (name, text))
        if not live:
            gdb.write("contig-symbols: no module loaded\n")
        for name, mod in live.items():
            if name in _added:
                gdb.write("contig-symbols: %s: loaded already (%s)\n" % (name, _added[name][0]))
                continue
            path = find_ko(name, dirs)
            if path is None:
                gdb.write("contig-symbols: %s: no %s.ko in %s, skipped\n"
                          % (name, name, " ".join(dirs)))
                continue
            text = module_text_section(mod, placed[name])
            secs = [(s, a) for s, a in placed[name] if s != ".text" and a]
            cmd = "add-symbol-file %s 0x%x %s" % (
                path, text, " ".join("-s %s 0x%x" % (s, a) for s, a in secs))
            gdb.execute(cmd, to_string=True)
            _added[name] = (path, text, placed[name])
            gdb.write("contig-symbols: %s: %s at 0x%016x (%d more sections)\n"
                      % (name, path, text, len(secs)))


ContigLsmod()
ContigSymbols()
