#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Build the root disk of linux_rootdisk_test.sh: an ext4 image a Linux
# guest boots from (vmctl --disk IMAGE, root=/dev/vda rw), made by
# mke2fs -d, so no root, loop device or mount is needed.  The guest
# initramfs (mk-linux-guest-initrd.sh) loads virtio_blk and ext4, mounts
# it and runs its /sbin/init.  Runs on the build machine (POSIX sh,
# e2fsprogs); 32 MiB, sparse here.
#
# Usage: mk-linux-guest-rootfs.sh OUTPUT.ext4 [BUSYBOX]
#   BUSYBOX  a statically linked busybox (default: busybox on $PATH)
#
# Contents: busybox-static and its applet links, /etc/svmhv-rootfs (one
# line naming the image), /home/svmhv, and /sbin/init, which by
# guest.root= on the kernel command line
#   write  checks that / is /dev/vda, ext4, read-write; writes and fsyncs
#          /home/svmhv/written (2000 lines naming guest.nonce); reads the
#          read-only /dev/vdb (its md5 is guest.vdb_md5) and fails to
#          write it; reads /dev/hwrng; syncs, remounts / read-only (so
#          the image is clean for e2fsck) and powers off
#   kill   writes and fsyncs /home/svmhv/fsynced, says so with its md5
#          (LINUX-ROOT-FSYNCED), then rewrites other files until vmctl is
#          killed from outside
# printing LINUX-ROOT-<CHECK> ok or FAIL lines.
set -eu

out=${1:?usage: mk-linux-guest-rootfs.sh OUTPUT.ext4 [BUSYBOX]}
bb=${2:-$(command -v busybox || true)}
[ -n "$bb" ] && [ -x "$bb" ] || { echo "mk-linux-guest-rootfs.sh: no busybox (apt-get install busybox-static)" >&2; exit 1; }
if ! file -L "$bb" 2>/dev/null | grep -q 'statically linked'; then
	echo "mk-linux-guest-rootfs.sh: $bb is not statically linked (busybox-static)" >&2
	exit 1
fi
mke2fs=$(command -v mke2fs || echo /sbin/mke2fs)
[ -x "$mke2fs" ] || { echo "mk-linux-guest-rootfs.sh: no mke2fs (apt-get install e2fsprogs)" >&2; exit 1; }

stage=$(mktemp -d "${TMPDIR:-/tmp}/linux-guest-rootfs.XXXXXX")
trap 'rm -rf "$stage"' EXIT
root=$stage/root
mkdir -p "$root/bin" "$root/sbin" "$root/usr/bin" "$root/usr/sbin" "$root/etc" \
	 "$root/proc" "$root/sys" "$root/dev" "$root/tmp" "$root/home/svmhv"
cp "$bb" "$root/bin/busybox"
for applet in $("$bb" --list-full); do
	case $applet in bin/busybox|sbin/init|linuxrc) continue ;; esac
	ln -s /bin/busybox "$root/$applet"
done
echo "svmhv-rootfs built by mk-linux-guest-rootfs.sh" >"$root/etc/svmhv-rootfs"

cat >"$root/sbin/init" <<'INIT'
#!/bin/sh
# /sbin/init of vmctl's Linux test root disk (tools/vmctl/tests/mk-linux-guest-rootfs.sh).
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mountpoint -q /dev || mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
exec </dev/console >/dev/console 2>&1

mode=none nonce=none vdb_md5=none
for word in $(cat /proc/cmdline); do
	case $word in
	guest.root=*) mode=${word#guest.root=} ;;
	guest.nonce=*) nonce=${word#guest.nonce=} ;;
	guest.vdb_md5=*) vdb_md5=${word#guest.vdb_md5=} ;;
	esac
done
say() {	# say NAME STATUS DETAIL
	if [ "$2" = 0 ]; then echo "LINUX-ROOT-$1 ok $3"
	else echo "LINUX-ROOT-$1 FAIL $3"; fi
}
# 2000 lines naming the file and the nonce: what the host expects back.
content() { awk -v f="$1" -v n="$nonce" 'BEGIN { for (i = 1; i <= 2000; i++)
	printf "svmhv-root %s %s line %d\n", f, n, i }'; }

echo "LINUX-ROOT-INIT $(uname -r) $(cat /etc/svmhv-rootfs)"
r=$(awk '$2 == "/" && $1 != "rootfs" { split($4, o, ","); print $1, $3, o[1] }' /proc/mounts)
[ "$r" = "/dev/vda ext4 rw" ]; say ROOT_IS_VDA $? "$r"
case $mode in
write)
	content written >/tmp/written
	# conv=fsync: the file's data and an ext4 journal commit, a FLUSH
	dd if=/tmp/written of=/home/svmhv/written bs=4096 conv=fsync 2>/tmp/dd
	say WRITE_FSYNC $? "$(tail -n 1 /tmp/dd)"
	sum=$(md5sum </dev/vdb | cut -d' ' -f1)
	[ "$sum" = "$vdb_md5" ]; say RO_READ $? "vdb $sum, host $vdb_md5"
	if dd if=/dev/zero of=/dev/vdb bs=4096 count=1 oflag=direct conv=fsync 2>/tmp/ddro; then
		st=1
	else
		st=0
	fi
	say RO_WRITE_FAILS $st "$(tr '\n' ' ' </tmp/ddro)"
	n=$(head -c 4096 /dev/hwrng | wc -c)
	[ "$n" = 4096 ]; say HWRNG $? "$n bytes from $(cat /sys/class/misc/hw_random/rng_current 2>/dev/null)"
	sync
	mount -o remount,ro / 2>/tmp/remount
	say REMOUNT_RO $? "$(tr '\n' ' ' </tmp/remount)"
	echo "LINUX-ROOT-DONE"
	poweroff -f ;;
kill)
	content fsynced >/tmp/fsynced
	if dd if=/tmp/fsynced of=/home/svmhv/fsynced bs=4096 conv=fsync 2>/tmp/dd; then
		echo "LINUX-ROOT-FSYNCED $(md5sum </tmp/fsynced | cut -d' ' -f1)"
	else
		say WRITE_FSYNC 1 "$(tail -n 1 /tmp/dd)"
	fi
	# Writes in flight when the kill comes: data the guest never synced.
	i=0
	while :; do
		dd if=/dev/urandom of=/home/svmhv/churn$((i % 4)) bs=65536 count=4 2>/dev/null
		i=$((i + 1))
	done ;;
esac
echo "LINUX-ROOT-FAIL unknown guest.root=$mode"
poweroff -f
INIT
chmod 0755 "$root/sbin/init"

rm -f "$out.tmp"
"$mke2fs" -q -F -t ext4 -L svmhv-root -E root_owner=0:0 -d "$root" "$out.tmp" 32M >/dev/null
mv "$out.tmp" "$out"
