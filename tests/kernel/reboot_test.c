/*
 * A deliberate triple fault, for tests/e2e/triple_fault.sh: the suite name
 * starts with '_', so it runs only when named (ktest=_triple).
 */
#include "asm/reboot.h"
#include "debug/ktest.h"

KTEST(_triple, triple_fault)
{
	machine_triple_fault();
}
