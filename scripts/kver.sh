#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Print the Debian kernel version that svmhv is built for and tested under.
# The build machine runs some other kernel, so `uname -r` is useless here.
# A kernel counts once it is complete: a bootable image (/boot/vmlinuz-$V,
# booted in QEMU), headers (/lib/modules/$V/build, to build svmhv.ko
# against) and a finished module install (modules.dep: written by depmod
# when the package is configured; the kvm modules are found through it).
#
#   kver.sh        the default test kernel: the one Debian's
#                  linux-image-amd64 package points at (6.1 on bookworm),
#                  else the newest plain "-amd64" one, else any
#   kver.sh --all  every complete kernel, plain flavours first, oldest
#                  first (what `make check` runs by default)
#
# $KVER, when set, wins but is still checked.
# $KERNEL_ROOT, when set, is where boot/ and lib/modules/ are looked up
# instead of / (make check-debug: the kernel scripts/debug-kernel.sh
# installs under build/debug-kernel/root).
set -euo pipefail

kroot=${KERNEL_ROOT:-}

complete() {
	[ -e "$kroot/boot/vmlinuz-$1" ] && [ -d "$kroot/lib/modules/$1/build" ] &&
		[ -s "$kroot/lib/modules/$1/modules.dep" ]
}

if [ -n "${KVER:-}" ]; then
	if ! complete "$KVER"; then
		echo "kver.sh: KVER=$KVER lacks $kroot/boot/vmlinuz-$KVER," \
			"$kroot/lib/modules/$KVER/build or its modules.dep" >&2
		exit 1
	fi
	echo "$KVER"
	exit 0
fi

all=${1:-}
plain=() other=()
for build in "$kroot"/lib/modules/*/build; do
	[ -d "$build" ] || continue
	v=${build#"$kroot"/lib/modules/}
	v=${v%/build}
	complete "$v" || continue
	case $v in
	*-rt-*|*-cloud-*) other+=("$v") ;;
	*) plain+=("$v") ;;
	esac
done

if [ "$all" = --all ] && [ $((${#plain[@]} + ${#other[@]})) -gt 0 ]; then
	for list in plain other; do
		declare -n versions=$list
		[ ${#versions[@]} -gt 0 ] && printf '%s\n' "${versions[@]}" | sort -V
	done
	exit 0
fi

# linux-image-amd64 depends on exactly one linux-image-<V> package.
meta=$(dpkg-query -W -f='${Depends}' linux-image-amd64 2>/dev/null |
	sed -n 's/^linux-image-\([^ ,]*\).*/\1/p')
if [ -n "$meta" ] && complete "$meta"; then
	echo "$meta"
	exit 0
fi

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
