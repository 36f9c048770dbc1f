#!/usr/bin/env bash
# Try Contig as a new user would: a fresh Debian 12 with only git, make and
# gcc (debootstrap minbase), a clone of this repository's HEAD, then the
# README's two commands, `make run CMDLINE=poweroff` and `make test`.
#
# Usage: fresh-debian.sh [--keep] DIR
#   DIR     an empty or absent directory for the chroot (about 1.5 GB)
#   --keep  leave the chroot in place afterwards (default: remove it)
# Needs root and debootstrap (apt-get install debootstrap); the packages
# come from the machine's Debian mirror. Exit status: that of make test.
set -euo pipefail
keep=0
case ${1:-} in
--keep) keep=1; shift ;;
--help|-h) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac
dir=${1:?usage: fresh-debian.sh [--keep] DIR (try --help)}
top=$(cd "$(dirname "$0")/.." && pwd)
[ "$(id -u)" = 0 ] || { echo "fresh-debian.sh: needs root (chroot, mounts)" >&2; exit 2; }
command -v debootstrap >/dev/null || { echo "fresh-debian.sh: apt-get install debootstrap first" >&2; exit 2; }
[ ! -e "$dir" ] || [ -z "$(ls -A "$dir")" ] || { echo "fresh-debian.sh: $dir is not empty" >&2; exit 2; }

mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
mirror=${mirror:-$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list 2>/dev/null)}
mkdir -p "$dir"
echo "fresh-debian: debootstrap bookworm (minbase + git make gcc) into $dir"
debootstrap --variant=minbase --include=git,make,gcc,ca-certificates bookworm "$dir" \
	${mirror:+"$mirror"} >"$dir.debootstrap.log" 2>&1 ||
	{ tail -20 "$dir.debootstrap.log"; exit 1; }
rm -f "$dir.debootstrap.log"
cp /etc/resolv.conf "$dir/etc/resolv.conf"
# The package sources of an installed Debian 12 (updates and security too),
# not debootstrap's single line.
if [ -f /etc/apt/sources.list.d/debian.sources ]; then
	cp /etc/apt/sources.list.d/debian.sources "$dir/etc/apt/sources.list.d/"
	rm -f "$dir/etc/apt/sources.list"
fi

mounted=()
cleanup() {
	local busy=0
	for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
		umount "${mounted[$i]}" 2>/dev/null || umount -l "${mounted[$i]}" || busy=1
	done
	# Never remove a tree that may still have the host's /dev or /proc inside.
	if [ $busy = 1 ] || grep -q " $(realpath "$dir")/" /proc/mounts; then
		echo "fresh-debian: $dir still has mounts inside; not removing it" >&2
	elif [ $keep = 0 ]; then
		rm -rf --one-file-system "$dir"
	fi
}
trap cleanup EXIT
for m in proc sys dev dev/pts; do
	mount --bind "/$m" "$dir/$m"
	mounted+=("$dir/$m")
done

git clone -q "$top" "$dir/root/contig"
chroot "$dir" /bin/bash -c '
	cd /root/contig && export HOME=/root
	start=$(date +%s)
	make run CMDLINE=poweroff </dev/null >/root/run.log 2>&1
	echo "fresh-debian: make run CMDLINE=poweroff: status $?, $(($(date +%s) - start)) s (deps included)"
	grep -E "poweroff: powering off" /root/run.log || tail -20 /root/run.log
	start=$(date +%s)
	make test >/root/test.log 2>&1
	st=$?
	grep -E "FAILED|skipped:" /root/test.log
	tail -3 /root/test.log
	echo "fresh-debian: make test: status $st, $(($(date +%s) - start)) s"
	exit $st'
