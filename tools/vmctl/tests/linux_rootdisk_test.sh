#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A Linux guest whose root file system is a vmctl --disk: Debian's own
# kernel boots with root=/dev/vda rw on the multi-core PC (2 vCPUs), its
# initramfs loads virtio_blk and ext4 and switch_roots to the image of
# mk-linux-guest-rootfs.sh, whose /sbin/init does the work.  Run inside
# the emulated machine with svmhv loaded (busybox sh: POSIX only), in the
# one-CPU smp boot, as linux_virtio_test.sh.
#
#   write  the command line of docs/virtio.md: a read-write root disk, a
#          read-only data disk (/dev/vdb), virtio-rng.  The guest writes
#          and fsyncs a file, reads vdb and fails to write it, reads
#          /dev/hwrng, remounts / read-only and powers off (status 0).
#          Then here: e2fsck -fn finds the image clean, debugfs reads the
#          file back as written, the read-only image is byte for byte what
#          it was.
#   kill   the guest fsyncs a file and says so, then keeps writing; vmctl
#          gets SIGKILL.  Then here: e2fsck -fy recovers the journal (exit
#          0 or 1), a second e2fsck -fn finds nothing, and the fsynced file
#          is there, whole (virtio-blk's FLUSH is fdatasync before the
#          guest sees it complete: data on the host's disk, not in vmctl).
# TAP 13 on stdout, ending in a kselftest "# Totals:" line; exit 1 on
# failure.
#
# Environment:
#   VMCTL, LINUX_GUEST_KERNEL, LINUX_GUEST_INITRD   as linux_boot_test.sh
#   LINUX_GUEST_ROOTFS   the root disk image (/linux/rootfs.ext4)
#   LINUX_BOOT_TIMEOUT   seconds per boot before it counts as hung (300)

VMCTL=${VMCTL:-/usr/bin/vmctl}
KERNEL=${LINUX_GUEST_KERNEL:-/linux/bzImage}
INITRD=${LINUX_GUEST_INITRD:-/linux/guest-initrd.cpio.gz}
ROOTFS=${LINUX_GUEST_ROOTFS:-/linux/rootfs.ext4}
TIMEOUT=${LINUX_BOOT_TIMEOUT:-300}
PATH=$PATH:/sbin:/usr/sbin

# shellcheck source=tools/vmctl/tests/linux_tap.sh
. "$(dirname "$0")/linux_tap.sh"
tap_begin linux_rootdisk_test

# What the guest's /sbin/init writes to FILE (mk-linux-guest-rootfs.sh).
content() { awk -v f="$1" -v n="$nonce" 'BEGIN { for (i = 1; i <= 2000; i++)
	printf "svmhv-root %s %s line %d\n", f, n, i }'; }

# start MODE: vmctl boots the root disk in the background ($pid).
start() {
	t0=$(uptime_s)
	"$VMCTL" start -k "$KERNEL" -i "$INITRD" -m 512M -c 2 --rng \
		--disk "$T/root.ext4" --disk "$T/data.img,ro" \
		-p "console=ttyS0 root=/dev/vda rw panic=-1 guest.root=$1 guest.nonce=$nonce guest.vdb_md5=$data_md5" \
		</dev/null >"$T/out" 2>"$T/err" &
	pid=$!
}

# The guest's checks: LINUX-ROOT-<CHECK> ok lines, MODE_<check> tests.
checks() {	# checks MODE CHECK...
	m=$1
	shift
	for check in "$@"; do
		expect "${m}_$(echo "$check" | tr '[:upper:]' '[:lower:]')" \
			"$(has "LINUX-ROOT-$check ok"; echo $?)" \
			"$(grep "LINUX-ROOT-$check" "$T/out" || tail_out)"
	done
}

report() {	# report MODE
	echo "# $1: vmctl ran $secs s (wall clock), status $st"
	sed 's/^/# stderr: /' "$T/err"
	grep 'LINUX-GUEST-ROOT\|LINUX-ROOT-' "$T/out" | tr -d '\r' | sed 's/^/# /'
	expect "$1_initramfs_mounted_vda_rw" \
		"$(has 'LINUX-GUEST-ROOT /dev/vda rw'; echo $?)" "$(tail_out)"
	expect "$1_root_disk_init_ran" "$(has 'LINUX-ROOT-INIT'; echo $?)" "$(tail_out)"
	checks "$1" ROOT_IS_VDA
}

# The image's FILE (a path in it) as debugfs reads it, without a mount.
image_file() { debugfs -R "cat $1" "$T/root.ext4" 2>/dev/null; }

write_boot() {
	start write
	wait_vmctl "$pid"
	report write
	expect write_vmctl_exits_0_after_acpi_poweroff \
		"$([ "$st" -eq 0 ] && grep -q 'powered off (ACPI S5)' "$T/err"; echo $?)" \
		"status $st" "$(tail_out)"
	checks write WRITE_FSYNC RO_READ RO_WRITE_FAILS HWRNG REMOUNT_RO
	expect write_guest_finishes "$(has 'LINUX-ROOT-DONE'; echo $?)" "$(tail_out)"
	e2fsck -fn "$T/root.ext4" >"$T/fsck" 2>&1
	fst=$?
	expect write_e2fsck_clean "$fst" "e2fsck -fn status $fst" "$(sed 's/^/e2fsck: /' "$T/fsck")"
	content written >"$T/want"
	image_file /home/svmhv/written >"$T/got"
	expect write_file_in_image_as_written "$(cmp -s "$T/want" "$T/got"; echo $?)" \
		"$(wc -c <"$T/got") bytes read back, $(wc -c <"$T/want") written"
	expect write_ro_image_unchanged "$(cmp -s "$T/data.orig" "$T/data.img"; echo $?)" \
		"$(cmp "$T/data.orig" "$T/data.img" 2>&1)"
}

kill_boot() {
	start kill
	i=0
	while ! has LINUX-ROOT-FSYNCED && [ "$i" -lt "$TIMEOUT" ] && kill -0 "$pid" 2>/dev/null; do
		sleep 1
		i=$((i + 1))
	done
	# Writes under way, none of them synced, when the kill comes.
	sleep 2
	kill -KILL "$pid" 2>/dev/null
	wait_vmctl "$pid"
	report kill
	said=$(tr -d '\r' <"$T/out" | sed -n 's/^LINUX-ROOT-FSYNCED \([0-9a-f]*\).*/\1/p')
	expect kill_guest_fsynced_a_file "$([ -n "$said" ]; echo $?)" "$(tail_out)"
	expect kill_vmctl_died_of_sigkill "$([ "$st" -eq 137 ]; echo $?)" "status $st"
	# The journal the guest never got to close is recovered: 0 (nothing
	# to do) or 1 (corrected).  After that the image is clean.
	e2fsck -fy "$T/root.ext4" >"$T/fsck" 2>&1
	fst=$?
	echo "# kill: e2fsck -fy status $fst: $(grep -i -m 2 'journal\|clean' "$T/fsck" | tr '\n' ' ')"
	expect kill_e2fsck_recovers "$([ "$fst" -le 1 ]; echo $?)" \
		"e2fsck -fy status $fst" "$(sed 's/^/e2fsck: /' "$T/fsck")"
	e2fsck -fn "$T/root.ext4" >"$T/fsck" 2>&1
	fst=$?
	expect kill_e2fsck_clean_after_recovery "$fst" \
		"e2fsck -fn status $fst" "$(sed 's/^/e2fsck: /' "$T/fsck")"
	content fsynced >"$T/want"
	image_file /home/svmhv/fsynced >"$T/got"
	want=$(md5sum <"$T/want" | cut -d' ' -f1)
	got=$(md5sum <"$T/got" | cut -d' ' -f1)
	expect kill_fsynced_file_survives "$([ "$got" = "$want" ] && [ "$said" = "$want" ]; echo $?)" \
		"image $got ($(wc -c <"$T/got") bytes), guest said ${said:-nothing}, want $want"
}

if ! "$VMCTL" --help 2>/dev/null | grep -q -- '--disk'; then
	skipped linux_rootdisk "this vmctl has no --disk"
elif [ ! -r "$KERNEL" ] || [ ! -r "$INITRD" ] || [ ! -r "$ROOTFS" ]; then
	skipped linux_rootdisk "no guest kernel, initramfs or root disk at $KERNEL, $INITRD, $ROOTFS"
elif ! command -v e2fsck >/dev/null || ! command -v debugfs >/dev/null; then
	skipped linux_rootdisk "no e2fsck or debugfs to check the image with"
else
	cp "$ROOTFS" "$T/root.ext4"
	dd if=/dev/urandom of="$T/data.img" bs=4096 count=64 2>/dev/null
	cp "$T/data.img" "$T/data.orig"
	data_md5=$(md5sum <"$T/data.img" | cut -d' ' -f1)
	nonce=$(od -An -tx1 -N8 /dev/urandom | tr -d ' \n')
	write_boot
	kill_boot
fi

tap_end
