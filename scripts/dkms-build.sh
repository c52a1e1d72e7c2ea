#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build and install svmhv.ko the way administrators do, through DKMS
# (dkms add, build, install), but entirely inside build/dkms/: a private
# source tree, DKMS tree, install tree and module-signing key, so nothing
# is written to /usr/src, /var/lib/dkms or /lib/modules.  Prints the path
# of the installed (signed) module; `make check` loads it in the emulated
# machine (selftests/module_load.sh).
#
# Usage: scripts/dkms-build.sh KVER
# Environment: KDIR, the kernel build tree when it is not
#   /lib/modules/KVER/build (make check-debug: build/debug-kernel/).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
kver=${1:?usage: dkms-build.sh KVER}
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$repo/dkms.conf")
top=$repo/build/dkms
src=$top/src/svmhv-$version
tree=$top/tree-$kver
install=$top/install-$kver
log=$top/dkms-$kver.log

command -v dkms >/dev/null || { echo "dkms-build.sh: dkms is not installed" >&2; exit 1; }
rm -rf "$src" "$tree" "$install"
mkdir -p "$src" "$tree" "$install/$kver"
# What a release tarball would hold: the tracked module sources.
git -C "$repo" ls-files -z -- Kbuild dkms.conf module uapi |
	(cd "$repo" && xargs -0 cp --parents -t "$src")

# dkms reads its signing key from framework.conf unless already set; a key
# of our own keeps the system's MOK out of this.
if [ ! -s "$top/mok.key" ]; then
	openssl req -new -x509 -nodes -days 36500 -subj "/CN=svmhv test DKMS key" \
		-newkey rsa:2048 -keyout "$top/mok.key" -outform DER \
		-out "$top/mok.der" >/dev/null 2>&1
fi
export mok_signing_key=$top/mok.key mok_certificate=$top/mok.der
# Debian's dkms looks for sign-file in linux-kbuild-<major.minor>, which
# 6.12's packaging names differently; the headers always carry one.
kdir=${KDIR:-/lib/modules/$kver/build}
export sign_file=$kdir/scripts/sign-file

opts=(--dkmstree "$tree" --sourcetree "$top/src" --installtree "$install"
      -m svmhv -v "$version" -k "$kver")
# A kernel outside /lib/modules: depmod has no tree to index there.
[ -z "${KDIR:-}" ] || opts+=(--kernelsourcedir "$KDIR" --no-depmod)
if ! { dkms add "${opts[@]}" && dkms build "${opts[@]}" &&
       dkms install "${opts[@]}" --force; } >"$log" 2>&1; then
	cat "$log" >&2
	echo "dkms-build.sh: DKMS build of svmhv $version for $kver failed" >&2
	exit 1
fi
ko=$(find "$install" -name 'svmhv.ko*' | head -n 1)
[ -n "$ko" ] || { cat "$log" >&2; echo "dkms-build.sh: no svmhv.ko in $install" >&2; exit 1; }
# Kernels built with CONFIG_MODULE_COMPRESS_* (Debian's 6.12: xz) get the
# module compressed, signature inside; hand out the plain signed ELF.
case $ko in
*.ko.xz) xz -dc "$ko" >"$top/svmhv-$kver.ko"; ko=$top/svmhv-$kver.ko ;;
*.ko.zst) zstd -qdc "$ko" >"$top/svmhv-$kver.ko"; ko=$top/svmhv-$kver.ko ;;
*.ko.gz) gzip -dc "$ko" >"$top/svmhv-$kver.ko"; ko=$top/svmhv-$kver.ko ;;
esac
echo "$ko"
