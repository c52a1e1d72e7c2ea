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
# TAP 13 on stdout, ending in a kselftest "# Totals:" line; exit 1 on
# failure.
#
# Environment:
#   VMCTL, LINUX_GUEST_KERNEL, LINUX_GUEST_INITRD   as linux_boot_test.sh
#   LINUX_BOOT_TIMEOUT   seconds per boot before it counts as hung (300)

VMCTL=${VMCTL:-/usr/bin/vmctl}
KERNEL=${LINUX_GUEST_KERNEL:-/linux/bzImage}
INITRD=${LINUX_GUEST_INITRD:-/linux/guest-initrd.cpio.gz}
TIMEOUT=${LINUX_BOOT_TIMEOUT:-300}

mkdir -p "${TMPDIR:-/tmp}"
T=$(mktemp -d "${TMPDIR:-/tmp}/linux_virtio_test.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT

n=0 pass=0 fail=0 skip=0
echo "TAP version 13"
ok() { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n $1"; }
skipped() { n=$((n + 1)); skip=$((skip + 1)); echo "ok $n $1 # SKIP $2"; }
not_ok() {
	n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n $1"
	shift
	for line in "$@"; do echo "# $line"; done
}
expect() {	# expect NAME CONDITION-STATUS [DIAGNOSTIC...]
	name=$1 st_=$2
	shift 2
	if [ "$st_" -eq 0 ]; then ok "$name"; else not_ok "$name" "$@"; fi
}
has() { grep -F -- "$1" "$T/out" >/dev/null; }
tail_out() { tail -n 15 "$T/out" | sed 's/^/guest: /'; sed 's/^/stderr: /' "$T/err"; }
uptime_s() { cut -d' ' -f1 /proc/uptime; }

boot() {	# boot NAME CPUS MSIX EXTRA-CMDLINE
	b=$1 cpus=$2 msix=$3 extra=$4
	t0=$(uptime_s)
	"$VMCTL" start -k "$KERNEL" -i "$INITRD" -m 512M -c "$cpus" --rng \
		-p "console=ttyS0 panic=-1 guest.mode=virtio guest.msix=$msix $extra" \
		</dev/null >"$T/out" 2>"$T/err" &
	pid=$!
	( sleep "$TIMEOUT"; kill -TERM "$pid" 2>/dev/null ) &
	dog=$!
	wait "$pid"
	st=$?
	kill "$dog" 2>/dev/null
	wait "$dog" 2>/dev/null
	secs=$(awk -v a="$t0" -v b="$(uptime_s)" 'BEGIN { printf "%.1f", b - a }')
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
	expect "${b}_no_queue_broken" \
		"$(! grep -q 'queue broken' "$T/err"; echo $?)" "$(grep 'broken' "$T/err")"
	expect "${b}_guest_finishes" "$(has 'LINUX-VIRTIO-DONE'; echo $?)" "$(tail_out)"
}

if ! "$VMCTL" --help 2>/dev/null | grep -q -- '--rng'; then
	skipped linux_virtio "this vmctl has no --rng"
elif [ ! -r "$KERNEL" ] || [ ! -r "$INITRD" ]; then
	skipped linux_virtio "no guest kernel/initramfs at $KERNEL, $INITRD"
else
	boot msix_2cpus 2 1 ""
	boot intx_nomsi 1 0 "pci=nomsi"
fi

echo "1..$n"
echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:$skip error:0"
[ "$fail" -eq 0 ]
