#!/usr/bin/env bash
# The console's slabinfo and meminfo, read by the real slabtop, free and
# vmstat from procps through bind mounts over /proc (tests/e2e/procps_test.py).
here=$(cd "$(dirname "$0")" && pwd)
for tool in slabtop free vmstat unshare; do
	command -v $tool >/dev/null || { echo "FAIL: procps: $tool is missing (apt-get install -y procps)"; exit 1; }
done
# Status 77 (skipped) when not root: the bind mounts need it.
exec /usr/bin/python3 "$here/procps_test.py" "$@"
