#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian packages that building, linting and testing svmhv need,
# only those not installed yet, so that `make check` works on a bare Debian
# bookworm machine (CI) and costs ~0.1 s where everything is present.
#   build-essential             compiler, make, perl (checkpatch)
#   linux-image-amd64           the kernel booted in QEMU, and its kvm modules
#   linux-headers-amd64         to build svmhv.ko against that kernel
#   qemu-system-x86             the emulated EPYC host (TCG)
#   busybox-static cpio gzip    the initramfs
#   xz-utils zstd               unpacking vmlinux (6.1: xz, 6.12: zstd)
#                               and linux-source
#   kmod                        modinfo, to find kvm_amd's dependencies
#   linux-source-6.1            kselftest headers and checkpatch.pl
#   sparse                      `make lint` (C=1)
#   dkms openssl                the DKMS build make check loads (a private
#                               tree and signing key, scripts/dkms-build.sh)
#   acpica-tools                iasl, which disassembles vmctl's ACPI tables
#                               in its unit tests (tools/vmctl/tests)
#   e2fsprogs                   mke2fs -d, which builds the ext4 image a
#                               Linux guest mounts from vmctl --disk
#                               (tools/vmctl/tests/mk-linux-guest-disk.sh)
#   gdb                         backtraces of QEMU's threads when an
#                               emulated machine hangs (scripts/run-vm.sh)
# Extra package names given as arguments (e.g. shellcheck) are added.
# Unless SVMHV_KERNEL_612=no, it also makes sure one Debian 6.12 kernel of
# each flavour the suite runs on is present -- generic and PREEMPT_RT
# (linux-image-6.12.N+deb12-{amd64,rt-amd64}-unsigned and their headers):
# bookworm has no metapackage for them, so the newest N is chosen.
set -euo pipefail

pkgs=(build-essential qemu-system-x86 linux-image-amd64 linux-headers-amd64
      busybox-static cpio gzip xz-utils zstd kmod linux-source-6.1 sparse
      dkms openssl acpica-tools e2fsprogs gdb "$@")

installed() {
	[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]
}

missing=()
for p in "${pkgs[@]}"; do
	installed "$p" || missing+=("$p")
done

# A 6.12 kernel of this flavour whose image and headers are both there.
have_612() {	# have_612 FLAVOUR
	local d
	for d in /lib/modules/6.12.*+deb12-"$1"/build; do
		[ -d "$d" ] && [ -e "/boot/vmlinuz-$(basename "$(dirname "$d")")" ] &&
			return 0
	done
	return 1
}
want_612=()
if [ "${SVMHV_KERNEL_612:-yes}" != no ]; then
	for flavour in amd64 rt-amd64; do
		have_612 "$flavour" || want_612+=("$flavour")
	done
fi
[ ${#missing[@]} -eq 0 ] && [ ${#want_612[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	if [ ${#missing[@]} -eq 0 ]; then
		echo "install-deps.sh: no Debian 6.12 kernel (${want_612[*]});" \
			"run as root to install one, testing without it" >&2
		exit 0
	fi
	echo "install-deps.sh: missing packages: ${missing[*]}; run as root" \
		"or: sudo apt-get install ${missing[*]}" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -q
for flavour in "${want_612[@]}"; do
	v=$(apt-cache search --names-only \
		"^linux-image-6\\.12\\.[0-9]+\\+deb12-$flavour-unsigned\$" |
		sed -n "s/^linux-image-\\(6\\.12\\.[0-9]*+deb12-$flavour\\)-unsigned .*/\\1/p" |
		sort -V | tail -n1)
	if [ -z "$v" ]; then
		echo "install-deps.sh: no Debian 6.12 $flavour kernel in the" \
			"package lists; testing without it" >&2
		continue
	fi
	missing+=("linux-image-$v-unsigned" "linux-headers-$v")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "install-deps.sh: installing ${missing[*]}" >&2
apt-get install -y -q --no-install-recommends "${missing[@]}"
