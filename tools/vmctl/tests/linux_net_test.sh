#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# vmctl --net: Debian's own kernel, booted under vmctl on the multi-core
# PC with 2 vCPUs, drives vmctl's virtio-net (virtio 1.2, 5.1) with its
# unmodified virtio_net driver over the host's tap0.  Run inside the
# emulated machine with svmhv loaded (busybox sh: POSIX only), in the
# one-CPU smp boot, as linux_virtio_test.sh.
#
# The host side: tun.ko (from /modules when /dev/net/tun is missing), a
# persistent tap0 (busybox tunctl) at 10.0.2.1/24, nc serving 4 MiB of
# random bytes on port 5002 and nc listening on 5001.  The guest's /init
# (mk-linux-guest-initrd.sh, guest.mode=net) loads virtio_net and its
# dependencies, checks the PCI function, the MAC vmctl was given and the
# link, takes 10.0.2.15/24, pings the host (also with 8000-byte packets,
# fragmented), fetches the file (its md5 on the command line) and sends
# 4 MiB of its own (its md5 on the console), while the host pings it
# back; then a clean kernel log and ACPI power-off (vmctl status 0).
# Before that, taps that cannot be opened: status 1 before any guest
# output.  TAP 13 on stdout, ending in a kselftest "# Totals:" line;
# exit 1 on failure.
#
# Environment:
#   VMCTL, LINUX_GUEST_KERNEL, LINUX_GUEST_INITRD   as linux_boot_test.sh
#   LINUX_BOOT_TIMEOUT   seconds for the boot before it counts as hung (300)

VMCTL=${VMCTL:-/usr/bin/vmctl}
KERNEL=${LINUX_GUEST_KERNEL:-/linux/bzImage}
INITRD=${LINUX_GUEST_INITRD:-/linux/guest-initrd.cpio.gz}
TIMEOUT=${LINUX_BOOT_TIMEOUT:-300}
TAP=tap0
HOST_IP=10.0.2.1
GUEST_IP=10.0.2.15
MAC=52:54:00:12:34:56
# What goes each way over TCP, in KiB.
KIB=4096

# shellcheck source=tools/vmctl/tests/linux_tap.sh
. "$(dirname "$0")/linux_tap.sh"
tap_begin linux_net_test
pids=
cleanup() {
	# shellcheck disable=SC2086 # one word per pid
	[ -n "$pids" ] && kill $pids 2>/dev/null
	tunctl -d "$TAP" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT


# refused NAME VMCTL-ARGS...: vmctl ends with status 1 before the guest
# prints anything, saying why.
refused() {
	r=$1
	shift
	"$VMCTL" start -k "$KERNEL" -i "$INITRD" -m 256M "$@" \
		-p "console=ttyS0 panic=-1" </dev/null >"$T/out" 2>"$T/err"
	st=$?
	sed 's/^/# stderr: /' "$T/err"
	expect "refused_${r}_status_1_no_guest_output" \
		"$([ "$st" -eq 1 ] && [ ! -s "$T/out" ] && grep -q -e '--net tap=' "$T/err"; echo $?)" \
		"status $st" "$(tail_out)"
}

setup_host() {
	[ -c /dev/net/tun ] || insmod /modules/tun.ko 2>/dev/null
	[ -c /dev/net/tun ] || return 1
	# busybox ip has no "tuntap": its tunctl makes the persistent tap.
	tunctl -t "$TAP" >/dev/null || return 1
	ip addr add "$HOST_IP/24" dev "$TAP" || return 1
	ip link set "$TAP" up || return 1
	mkdir -p "$T/www"
	dd if=/dev/urandom of="$T/www/blob" bs=1024 count="$KIB" 2>/dev/null
	md5=$(md5sum <"$T/www/blob" | cut -d' ' -f1)
	nc -l -p 5002 <"$T/www/blob" >/dev/null &
	pids="$pids $!"
	# The listener's stdin stays open (nc shuts its sending half at
	# EOF on stdin, and the guest's nc would then quit early).
	( sleep "$TIMEOUT" | nc -l -p 5001 >"$T/up" ) &
	pids="$pids $!"
}

boot() {
	t0=$(uptime_s)
	"$VMCTL" start -k "$KERNEL" -i "$INITRD" -m 512M -c 2 \
		--net "tap=$TAP,mac=$MAC" \
		-p "console=ttyS0 panic=-1 guest.mode=net guest.mac=$MAC guest.md5=$md5 guest.kib=$KIB guest.offloads=1" \
		</dev/null >"$T/out" 2>"$T/err" &
	pid=$!
	# The host pings the guest while it runs.
	(
		while kill -0 "$pid" 2>/dev/null; do
			if ping -c 1 -W 1 "$GUEST_IP" >/dev/null 2>&1; then
				echo pong >>"$T/pongs"
			else
				sleep 1
			fi
		done
	) &
	pinger=$!
	wait_vmctl "$pid"
	wait "$pinger" 2>/dev/null
	echo "# net_2cpus: vmctl ran $secs s (wall clock), status $st"
	sed 's/^/# stderr: /' "$T/err"
	grep 'LINUX-NET-' "$T/out" | tr -d '\r' | sed 's/^/# /'
	expect net_vmctl_exits_0_after_acpi_poweroff \
		"$([ "$st" -eq 0 ] && grep -q 'powered off (ACPI S5)' "$T/err"; echo $?)" \
		"status $st" "$(tail_out)"
	for check in MODULES PCI_DEVICE NETDEV MAC FEATURES IP_UP LINK_UP PING_HOST \
		     PING_8000 DOWNLOAD UPLOAD_SENT DMESG_CLEAN; do
		expect "net_$(echo "$check" | tr '[:upper:]' '[:lower:]')" \
			"$(has "LINUX-NET-$check ok"; echo $?)" \
			"$(grep "LINUX-NET-$check" "$T/out" || tail_out)"
	done
	want=$(sed -n 's/.*LINUX-NET-UPLOAD-MD5 \([0-9a-f]*\).*/\1/p' "$T/out" | head -n 1)
	got=$(md5sum <"$T/up" 2>/dev/null | cut -d' ' -f1)
	expect net_upload_arrives_intact \
		"$([ -n "$want" ] && [ "$got" = "$want" ] && [ "$(wc -c <"$T/up")" = $((KIB * 1024)) ]; echo $?)" \
		"host got $(wc -c <"$T/up" 2>/dev/null) bytes, md5 $got, guest sent $want"
	pongs=$(wc -l <"$T/pongs" 2>/dev/null || echo 0)
	expect net_host_pings_guest "$([ "${pongs:-0}" -gt 0 ]; echo $?)" \
		"no echo reply from $GUEST_IP"
	expect net_no_queue_broken \
		"$(! grep -q 'queue broken' "$T/err"; echo $?)" "$(grep 'broken' "$T/err")"
	expect net_guest_finishes "$(has 'LINUX-NET-DONE'; echo $?)" "$(tail_out)"
	for s in rx_packets rx_bytes rx_dropped tx_packets tx_bytes tx_dropped; do
		printf '%s=%s ' "$s" "$(cat "/sys/class/net/$TAP/statistics/$s")"
	done | sed 's/^/# host tap: /; s/$/\n/'
}

if ! "$VMCTL" --help 2>/dev/null | grep -q -- '--net'; then
	skipped linux_net "this vmctl has no --net"
elif [ ! -r "$KERNEL" ] || [ ! -r "$INITRD" ]; then
	skipped linux_net "no guest kernel/initramfs at $KERNEL, $INITRD"
elif [ ! -c /dev/net/tun ] && [ ! -e /modules/tun.ko ]; then
	# make check-debug's kernel is built without networking.
	skipped linux_net "this host kernel has no tun driver"
elif ! setup_host; then
	not_ok linux_net_host_tap "cannot set up $TAP at $HOST_IP/24 (tun.ko, busybox tunctl and ip)"
else
	# Taps vmctl cannot open: a name the kernel cannot have, the same
	# single-queue tap twice (the second attach is EBUSY), and no
	# /dev/net/tun at all.
	refused name_too_long --net tap=averyveryverylongname
	refused tap_busy --net "tap=$TAP" --net "tap=$TAP"
	mv /dev/net/tun /dev/net/tun.away
	refused no_dev_net_tun --net "tap=$TAP"
	mv /dev/net/tun.away /dev/net/tun
	boot
fi

tap_end
