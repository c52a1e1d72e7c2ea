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
# Extra package names given as arguments (e.g. shellcheck) are added.
set -euo pipefail

pkgs=(build-essential qemu-system-x86 linux-image-amd64 linux-headers-amd64
      busybox-static cpio gzip xz-utils zstd kmod linux-source-6.1 sparse "$@")

missing=()
for p in "${pkgs[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$status" = installed ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps.sh: missing packages: ${missing[*]}; run as root" \
		"or: sudo apt-get install ${missing[*]}" >&2
	exit 1
fi

echo "install-deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
