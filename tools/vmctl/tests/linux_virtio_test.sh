#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# vmctl --rng: Debian's own kernel, booted under vmctl on the multi-core
# PC, drives vmctl's virtio-rng (virtio 1.2, 5.4) over the virtio-pci
# modern transport with its unmodified virtio_pci and virtio-rng drivers.
# Run inside the emulated machine with svmhv loaded (busybox sh: POSIX
# only), as linux_smp_test.sh and in the same one-CPU boot.
#
# The guest's /init (mk-linux-guest-initrd.sh, guest.mode=virtio) loads
# the modules its kernel has as modules, finds 1af4:1044 on PCI bound to
# virtio-pci, reads 64 KiB of random bytes from /dev/hwrng, checks which
# interrupts carried the completions and that its kernel log is clean,
# then powers off through ACPI S5 (vmctl status 0).  Two boots: 2 vCPUs
# with MSI-X (irqfd or SIGNAL_MSI per vector), and 1 vCPU with pci=nomsi
# (INTx through the _PRT's GSI and vmctl's I/O APIC, ISR read-to-clear).
#
# vmctl --disk: both boots also get two virtio-blk disks, a copy of the
# ext4 image of mk-linux-guest-disk.sh (/dev/vda) and a 1 MiB raw image
# of random bytes, read-only (/dev/vdb).  The first boot (guest.disk=write)
# reads the image's files, writes and fsyncs /newfile and two files at
# once, finds vdb's bytes and cannot write them; here, after it, /newfile's
# 2000 lines (with this run's nonce) are in the ext4 image and the
# read-only image is byte for byte what it was.  The second boot
# (guest.disk=verify, INTx) finds everything the first one wrote.  While
# the first runs, a second vmctl cannot take either image; a missing
# image, a directory or a size not a multiple of 512 is status 1 before
# any guest output; a bad --disk is status 2.  A third boot keeps disk
# requests in flight until vmctl gets SIGTERM: it must die of it at once.
# TAP 13 on stdout, ending in a kselftest "# Totals:" line; exit 1 on
# failure.
#
# Environment:
#   VMCTL, LINUX_GUEST_KERNEL, LINUX_GUEST_INITRD   as linux_boot_test.sh
#   LINUX_GUEST_DISK     the ext4 image (/linux/disk.ext4)
#   LINUX_BOOT_TIMEOUT   seconds per boot before it counts as hung (300)

VMCTL=${VMCTL:-/usr/bin/vmctl}
KERNEL=${LINUX_GUEST_KERNEL:-/linux/bzImage}
INITRD=${LINUX_GUEST_INITRD:-/linux/guest-initrd.cpio.gz}
DISK=${LINUX_GUEST_DISK:-/linux/disk.ext4}
TIMEOUT=${LINUX_BOOT_TIMEOUT:-300}

# shellcheck source=tools/vmctl/tests/linux_tap.sh
. "$(dirname "$0")/linux_tap.sh"
tap_begin linux_virtio_test


# vmctl fails with status WANT before the guest starts, saying TEXT.
disk_error() {	# disk_error NAME WANT TEXT VMCTL-ARGS...
	name=$1 want=$2 text=$3
	shift 3
	# panic=-1: should vmctl start the guest after all, it has no root
	# file system and reboots (status 0) instead of waiting forever.
	"$VMCTL" start -k "$KERNEL" -p "panic=-1" "$@" </dev/null >"$T/eout" 2>"$T/eerr"
	est=$?
	sed 's/^/# stderr: /' "$T/eerr"
	expect "$name" "$([ "$est" -eq "$want" ] && [ ! -s "$T/eout" ] &&
		grep -q -- "$text" "$T/eerr"; echo $?)" \
		"status $est (want $want), stdout $(wc -c <"$T/eout") bytes" \
		"$(sed 's/^/stderr: /' "$T/eerr")"
}

# While the first disk boot runs (its guest has printed, so vmctl holds
# both images): neither image can be taken by a second vmctl.
disks_in_use() {
	i=0
	while ! grep -q LINUX-GUEST-INIT "$T/out" 2>/dev/null && [ "$i" -lt "$TIMEOUT" ] &&
		kill -0 "$pid" 2>/dev/null; do
		sleep 1
		i=$((i + 1))
	done
	disk_error disk_locked_rw_image_refused 1 "locked by another vmctl" \
		--disk "$T/root.ext4"
	disk_error disk_locked_rw_image_refused_ro_too 1 "locked by another vmctl" \
		--disk "$T/root.ext4,ro"
	disk_error disk_shared_ro_image_refused_rw 1 "locked by another vmctl" \
		--disk "$T/ro.img"
}

# SIGTERM to vmctl while its guest keeps disk requests in flight: vmctl
# stops the VM, finishes or drops them, and dies of the signal (143) at
# once, not hanging on its disk threads.
busy_stop() {
	"$VMCTL" start -k "$KERNEL" -i "$INITRD" -m 512M -c 2 --rng \
		--disk "$T/scratch.img" \
		-p "console=ttyS0 panic=-1 guest.mode=virtio guest.msix=1 guest.disk=busy" \
		</dev/null >"$T/out" 2>"$T/err" &
	pid=$!
	i=0
	while ! grep -q LINUX-VIRTIO-DISK_BUSY "$T/out" 2>/dev/null &&
		[ "$i" -lt "$TIMEOUT" ] && kill -0 "$pid" 2>/dev/null; do
		sleep 1
		i=$((i + 1))
	done
	grep 'LINUX-VIRTIO-DISK_BUSY' "$T/out" | tr -d '\r' | sed 's/^/# /'
	sleep 1
	t0=$(uptime_s)
	kill -TERM "$pid" 2>/dev/null
	( sleep 60; kill -KILL "$pid" 2>/dev/null ) &
	dog=$!
	wait "$pid"
	st=$?
	kill "$dog" 2>/dev/null
	wait "$dog" 2>/dev/null
	secs=$(awk -v a="$t0" -v b="$(uptime_s)" 'BEGIN { printf "%.1f", b - a }')
	echo "# busy: vmctl exited $secs s after SIGTERM, status $st"
	sed 's/^/# stderr: /' "$T/err"
	expect disk_busy_guest_reached_io "$(has 'LINUX-VIRTIO-DISK_BUSY'; echo $?)" "$(tail_out)"
	expect disk_busy_sigterm_status_143 \
		"$([ "$st" -eq 143 ] && grep -q 'stopped by signal 15' "$T/err"; echo $?)" \
		"status $st" "$(tail_out)"
	expect disk_busy_exit_within_20s \
		"$(awk -v s="$secs" 'BEGIN { exit !(s < 20) }'; echo $?)" "$secs s"
}

# The host side of --vconsole pty while the guest runs: find the
# pseudo-terminal vmctl names on stderr, read it, and once the guest's
# line came, answer with one of ours.
hvc_host() {
	pts='' i=0 catpid=''
	while [ -z "$pts" ] && [ "$i" -lt "$TIMEOUT" ] && kill -0 "$pid" 2>/dev/null; do
		pts=$(sed -n 's|.*virtio console (hvc0) on \(/dev/pts/[0-9]*\).*|\1|p' "$T/err")
		[ -n "$pts" ] && break
		sleep 1
		i=$((i + 1))
	done
	[ -n "$pts" ] || return 0
	cat "$pts" >"$T/hvc.out" 2>/dev/null &
	catpid=$!
	while ! grep -q "LINUX-HVC-OUT $nonce" "$T/hvc.out" 2>/dev/null &&
		[ "$i" -lt "$TIMEOUT" ] && kill -0 "$pid" 2>/dev/null; do
		sleep 1
		i=$((i + 1))
	done
	printf 'host-says %s\n' "$nonce" >"$pts"
}

boot() {	# boot NAME CPUS MSIX EXTRA-CMDLINE [DISK-MODE [HVC-MODE]]
	b=$1 cpus=$2 msix=$3 extra=$4 dmode=${5:-} hvc=${6:-}
	set --
	if [ -n "$dmode" ]; then
		set -- --disk "$T/root.ext4" --disk "$T/ro.img,ro"
		extra="$extra guest.disk=$dmode guest.nonce=$nonce guest.vdb_md5=$ro_md5"
	fi
	case $hvc in
	pty) set -- "$@" --vconsole pty ;;
	log) set -- "$@" --vconsole "log=$T/hvc.log" ;;
	esac
	[ -n "$hvc" ] && extra="$extra guest.hvc=$hvc"
	rm -f "$T/hvc.out" "$T/hvc.log"
	t0=$(uptime_s)
	"$VMCTL" start -k "$KERNEL" -i "$INITRD" -m 512M -c "$cpus" --rng "$@" \
		-p "console=ttyS0 panic=-1 guest.mode=virtio guest.msix=$msix $extra" \
		</dev/null >"$T/out" 2>"$T/err" &
	pid=$!
	[ "$dmode" = write ] && disks_in_use
	catpid=
	[ "$hvc" = pty ] && hvc_host
	wait_vmctl "$pid"
	[ -n "$catpid" ] && kill "$catpid" 2>/dev/null && wait "$catpid" 2>/dev/null
	echo "# $b: vmctl ran $secs s (wall clock), status $st"
	sed 's/^/# stderr: /' "$T/err"
	grep 'LINUX-VIRTIO-' "$T/out" | tr -d '\r' | sed 's/^/# /'
	expect "${b}_vmctl_exits_0_after_acpi_poweroff" \
		"$([ "$st" -eq 0 ] && grep -q 'powered off (ACPI S5)' "$T/err"; echo $?)" \
		"status $st" "$(tail_out)"
	if [ "$msix" = 1 ]; then irq=MSIX_IN_USE; else irq=INTX_IN_USE; fi
	for check in MODULES PCI_DEVICE DRIVER_BOUND HWRNG_CURRENT READ_64K \
		     $irq INTERRUPTS_COUNTED DMESG_CLEAN; do
		expect "${b}_$(echo "$check" | tr '[:upper:]' '[:lower:]')" \
			"$(has "LINUX-VIRTIO-$check ok"; echo $?)" \
			"$(grep "LINUX-VIRTIO-$check" "$T/out" || tail_out)"
	done
	if [ -n "$dmode" ]; then
		if [ "$dmode" = write ]; then d=WRITE_FSYNC; else d=PERSISTED; fi
		for check in DISK_DEVICES DISK_MOUNT DISK_READ_FILES DISK_$d \
			     $([ "$dmode" = write ] && echo DISK_PARALLEL_WRITES) \
			     DISK_UMOUNT DISK_RO_READ DISK_RO_WRITE_FAILS \
			     DISK_RO_UNCHANGED DISK_INTERRUPTS; do
			expect "${b}_$(echo "$check" | tr '[:upper:]' '[:lower:]')" \
				"$(has "LINUX-VIRTIO-$check ok"; echo $?)" \
				"$(grep "LINUX-VIRTIO-$check" "$T/out" || tail_out)"
		done
		# Seen from here: the guest's fsynced lines are in the image,
		# the read-only image is untouched.
		if [ "$dmode" = write ]; then
			lines=$(strings -n 8 "$T/root.ext4" | grep -o "svmhv-disk $nonce line [0-9]*" | sort -u | wc -l)
			expect "${b}_disk_newfile_in_host_image" \
				"$([ "$lines" -eq 2000 ]; echo $?)" "$lines of 2000 lines found"
		fi
		expect "${b}_disk_ro_image_unchanged" \
			"$(cmp "$T/ro.orig" "$T/ro.img" >/dev/null; echo $?)" \
			"$(cmp "$T/ro.orig" "$T/ro.img" 2>&1)"
		expect "${b}_disk_image_sizes_unchanged" \
			"$([ "$(wc -c <"$T/root.ext4")" -eq 16777216 ] &&
			   [ "$(wc -c <"$T/ro.img")" -eq 1048576 ]; echo $?)" \
			"$(ls -l "$T/root.ext4" "$T/ro.img")"
	fi
	if [ -n "$hvc" ]; then
		checks_hvc=HVC_DEVICE
		checks_hvc="$checks_hvc HVC_WRITE"
		[ "$hvc" = pty ] && checks_hvc="$checks_hvc HVC_READ"
		for check in $checks_hvc; do
			expect "${b}_$(echo "$check" | tr '[:upper:]' '[:lower:]')" \
				"$(has "LINUX-VIRTIO-$check ok"; echo $?)" \
				"$(grep "LINUX-VIRTIO-$check" "$T/out" || tail_out)"
		done
		if [ "$hvc" = pty ]; then got=$T/hvc.out; else got=$T/hvc.log; fi
		expect "${b}_hvc_${hvc}_has_the_guest_line" \
			"$(grep -q "LINUX-HVC-OUT $nonce" "$got" 2>/dev/null; echo $?)" \
			"$(grep 'virtio console' "$T/err") $(head -c 200 "$got" 2>&1)"
	fi
	expect "${b}_no_queue_broken" \
		"$(! grep -q 'queue broken' "$T/err"; echo $?)" "$(grep 'broken' "$T/err")"
	expect "${b}_guest_finishes" "$(has 'LINUX-VIRTIO-DONE'; echo $?)" "$(tail_out)"
}

if ! "$VMCTL" --help 2>/dev/null | grep -q -- '--rng'; then
	skipped linux_virtio "this vmctl has no --rng"
elif [ ! -r "$KERNEL" ] || [ ! -r "$INITRD" ]; then
	skipped linux_virtio "no guest kernel/initramfs at $KERNEL, $INITRD"
elif ! "$VMCTL" --help 2>/dev/null | grep -q -- '--disk'; then
	boot msix_2cpus 2 1 ""
	boot intx_nomsi 1 0 "pci=nomsi"
	skipped linux_virtio_disk "this vmctl has no --disk"
elif [ ! -r "$DISK" ]; then
	boot msix_2cpus 2 1 ""
	boot intx_nomsi 1 0 "pci=nomsi"
	skipped linux_virtio_disk "no ext4 image at $DISK"
else
	cp "$DISK" "$T/root.ext4"
	dd if=/dev/urandom of="$T/ro.img" bs=4096 count=256 2>/dev/null
	cp "$T/ro.img" "$T/ro.orig"
	ro_md5=$(md5sum <"$T/ro.img" | cut -d' ' -f1)
	nonce=$(od -An -tx1 -N8 /dev/urandom | tr -d ' \n')
	head -c 1000 /dev/zero >"$T/odd.img"
	mkdir "$T/dir.img"
	disk_error disk_missing_image 1 "No such file or directory" \
		--disk "$T/missing.img"
	disk_error disk_directory 1 "is a directory" --disk "$T/dir.img"
	disk_error disk_size_not_512_multiple 1 "not a multiple of 512" \
		--disk "$T/odd.img"
	disk_error disk_bad_flag_usage 2 "only 'ro' or 'rw'" \
		--disk "$T/root.ext4,bogus"
	boot msix_2cpus 2 1 "" write pty
	boot intx_nomsi 1 0 "pci=nomsi" verify log
	dd if=/dev/zero of="$T/scratch.img" bs=65536 count=64 2>/dev/null
	busy_stop
fi

tap_end
