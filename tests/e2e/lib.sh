# Helpers for the end-to-end scenarios: boot the kernel with a command line,
# keep the serial log, and check it. Sourced, not run.
set -uo pipefail
# Ctrl-C stops the whole run, not just the boot in progress.
trap 'exit 130' INT
E2E_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# Logs go to build/test/ (run-tests.sh passes E2E_OUT), one per boot:
# e2e-SCRIPT-N.serial.log.
E2E_OUT=${E2E_OUT:-$E2E_TOP/build/test}
E2E_NAME=$(basename "$0" .sh)
E2E_BOOTS=0
E2E_LOG=""
E2E_STATUS=0
e2e_failures=0
mkdir -p "$E2E_OUT/tmp"
export TMPDIR=${TMPDIR:-$E2E_OUT/tmp}

# boot MEM CMDLINE [TIMEOUT]: run the kernel; sets E2E_LOG and E2E_STATUS (scripts/qemu.sh codes).
boot() {
	E2E_BOOTS=$((E2E_BOOTS + 1))
	E2E_LOG=$E2E_OUT/e2e-$E2E_NAME-$E2E_BOOTS.serial.log
	"$E2E_TOP/scripts/qemu.sh" --mem "$1" --timeout "${3:-120}" --cmdline "$2" </dev/null \
		>"$E2E_LOG" 2>&1
	E2E_STATUS=$?
	# Lines compare without printk's "[    0.123456] " timestamp.
	tr -d '\r' <"$E2E_LOG" | sed -E 's/^\[ *[0-9]+\.[0-9]{6}\] //' >"$E2E_LOG.tmp" && mv "$E2E_LOG.tmp" "$E2E_LOG"
	echo "boot '$2' ($1): status $E2E_STATUS, $(wc -l <"$E2E_LOG") lines"
}

fail() {
	echo "FAIL: $*"
	e2e_failures=$((e2e_failures + 1))
}

# expect_line REGEX: some line of the log matches (grep -E).
expect_line() {
	grep -qE -- "$1" "$E2E_LOG" && echo "ok: /$1/" || fail "no line matches /$1/"
}

# expect_no_line REGEX
expect_no_line() {
	grep -qE -- "$1" "$E2E_LOG" && fail "a line matches /$1/: $(grep -m1 -E -- "$1" "$E2E_LOG")" ||
		echo "ok: no /$1/"
}

expect_status() {
	[ "$E2E_STATUS" = "$1" ] && echo "ok: status $1" || fail "status $E2E_STATUS, expected $1"
}

# finish: print the log on failure, exit with the verdict.
finish() {
	if [ $e2e_failures != 0 ]; then
		echo "---- serial log ($E2E_LOG) ----"
		tail -80 "$E2E_LOG"
		exit 1
	fi
	exit 0
}
