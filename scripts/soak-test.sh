#!/usr/bin/env bash
# Flakiness hunt: run `make test` N times in a row while a second `make test`
# runs beside it in a clone (the load a busy machine or CI neighbour makes).
# A test whose tolerance assumed a quiet host fails here.
#
# Usage: soak-test.sh [--no-load] [N]     (N defaults to 20)
# Logs: build/soak/run-K.log for every run; the summary at the end names the
# runs that failed and the tests that failed in them.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
load=1
case ${1:-} in
--no-load) load=0; shift ;;
--help|-h) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac
n=${1:-20}
[[ $n =~ ^[0-9]+$ ]] && [ "$n" -gt 0 ] || { echo "soak-test.sh: N must be a positive number, not '$n'" >&2; exit 2; }
out=$top/build/soak
rm -rf "$out"
mkdir -p "$out"

loader=""
if [ $load = 1 ]; then
	git clone -q "$top" "$out/load"
	# Its own process group, so that stopping it stops its QEMUs too.
	setsid bash -c 'cd "$1" && while :; do make test >/dev/null 2>&1; done' _ "$out/load" &
	loader=$!
fi
stop_load() {
	[ -n "$loader" ] || return 0
	kill -- -"$loader" 2>/dev/null
	wait "$loader" 2>/dev/null
	loader=""
}
trap stop_load EXIT

failed=0
for k in $(seq "$n"); do
	start=$(date +%s)
	(cd "$top" && make test) >"$out/run-$k.log" 2>&1
	st=$?
	summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out/run-$k.log" | tail -1)
	printf 'soak: run %d/%d: %s (status %d, %d s, load %s)\n' "$k" "$n" "${summary:-no summary}" \
		"$st" $(($(date +%s) - start)) "$(cut -d' ' -f1 /proc/loadavg)"
	if [ $st != 0 ]; then
		failed=$((failed + 1))
		grep -E 'not ok|FAIL' "$out/run-$k.log" | head -5 | sed 's/^/    /'
	fi
done
echo "soak: $((n - failed)) of $n runs passed$([ $load = 1 ] && echo ' under a second make test')"
[ $failed = 0 ]
