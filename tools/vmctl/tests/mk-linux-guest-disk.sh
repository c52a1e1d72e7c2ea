#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Build the ext4 image that linux_virtio_test.sh gives a Linux guest as
# its /dev/vda (vmctl --disk): 16 MiB, made by mke2fs -d from a few known
# files, so no root, loop device or mount is needed.  Runs on the build
# machine (e2fsprogs, POSIX sh); the image goes into the smp initramfs as
# /linux/disk.ext4 (scripts/mkinitramfs.sh): sparse here (about 1.3 MiB
# allocated), about 140 KiB of the gzipped initramfs (zeroes, metadata and
# the 64 KiB of random bytes), 16 MiB of the emulated host's RAM.
#
# Usage: mk-linux-guest-disk.sh OUTPUT.ext4
# Contents:
#   /hello.txt         one line, "hello from the build machine"
#   /dir/pattern.bin   64 KiB of random bytes (new on every build)
#   /MANIFEST          md5sum lines of the two, for md5sum -c in the guest
set -eu

out=${1:?usage: mk-linux-guest-disk.sh OUTPUT.ext4}
mke2fs=$(command -v mke2fs || echo /sbin/mke2fs)
[ -x "$mke2fs" ] || { echo "mk-linux-guest-disk.sh: no mke2fs (apt-get install e2fsprogs)" >&2; exit 1; }

stage=$(mktemp -d "${TMPDIR:-/tmp}/linux-guest-disk.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/root/dir"
echo "hello from the build machine" >"$stage/root/hello.txt"
head -c 65536 /dev/urandom >"$stage/root/dir/pattern.bin"
(cd "$stage/root" && md5sum hello.txt dir/pattern.bin) >"$stage/MANIFEST"
mv "$stage/MANIFEST" "$stage/root/MANIFEST"

rm -f "$out.tmp"
# The default ext4 features of mke2fs.conf (metadata_csum and the journal
# included: the guest's ext4 needs crc32c); root owned by root; -q: quiet.
"$mke2fs" -q -F -t ext4 -L vmctl-test -E root_owner=0:0 -d "$stage/root" \
	"$out.tmp" 16M >/dev/null
mv "$out.tmp" "$out"
