#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Print the Debian kernel version that svmhv is built for and tested under.
# The build machine runs some other kernel, so `uname -r` is useless here:
# the test kernel is the newest version (sort -V) that has a bootable image
# (/boot/vmlinuz-$V, booted in QEMU), headers (/lib/modules/$V/build, to
# build svmhv.ko against) and a finished module install (modules.dep:
# written by depmod when the package is configured; the kvm modules are
# found through it).  The plain "-amd64" flavour is preferred over -rt and
# -cloud ones, as Debian's linux-image-amd64 does; only when no plain one
# is complete is another flavour taken.  $KVER, when set, wins but is
# still checked.
set -euo pipefail

complete() {
	[ -e "/boot/vmlinuz-$1" ] && [ -d "/lib/modules/$1/build" ] &&
		[ -s "/lib/modules/$1/modules.dep" ]
}

if [ -n "${KVER:-}" ]; then
	if ! complete "$KVER"; then
		echo "kver.sh: KVER=$KVER lacks /boot/vmlinuz-$KVER," \
			"/lib/modules/$KVER/build or its modules.dep" >&2
		exit 1
	fi
	echo "$KVER"
	exit 0
fi

plain=() other=()
for build in /lib/modules/*/build; do
	[ -d "$build" ] || continue
	v=${build#/lib/modules/}
	v=${v%/build}
	complete "$v" || continue
	case $v in
	*-rt-*|*-cloud-*) other+=("$v") ;;
	*) plain+=("$v") ;;
	esac
done

for list in plain other; do
	declare -n versions=$list
	if [ ${#versions[@]} -gt 0 ]; then
		printf '%s\n' "${versions[@]}" | sort -V | tail -n1
		exit 0
	fi
done
echo "kver.sh: no kernel with /boot/vmlinuz-V, /lib/modules/V/build and" \
	"modules.dep; run scripts/install-deps.sh (linux-image-amd64" \
	"linux-headers-amd64)" >&2
exit 1
