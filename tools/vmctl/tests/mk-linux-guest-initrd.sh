#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Build the initramfs of the Linux guest that vmctl boots in
# linux_boot_test.sh: busybox-static with its applet links and a small
# /init.  Runs on the build machine (POSIX sh, cpio, gzip).
#
# Usage: mk-linux-guest-initrd.sh OUTPUT.cpio.gz [BUSYBOX]
#   BUSYBOX  a statically linked busybox (default: busybox on $PATH,
#            Debian's busybox-static package)
#
# The guest's /init, by guest.mode= on the kernel command line:
#   test (default)  print LINUX-GUEST-INIT on the console, check that
#       /proc/cpuinfo has the hypervisor flag, write and read a file in
#       tmpfs, let 5 s of guest time pass with the timer ticking (uptime
#       and jiffies-driven sleep), each check printing a LINUX-GUEST-*
#       line with ok/FAIL, then LINUX-GUEST-DONE and power off.
#   shell  an interactive shell on the console; power off when it exits.
#   smp    the multi-core PC checks of linux_smp_test.sh (below).
#   boot   (make bench) power off right after the LINUX-GUEST-INIT line:
#          the benchmark times VMMs from their start to that line.
#   idle   (make bench) 5 s after LINUX-GUEST-INIT, a LINUX-GUEST-IDLE line
#          (clocksource, TSC calibration), then nothing but an idle sleep
#          until the VMM is stopped: the benchmark counts exits.
set -eu

out=${1:?usage: mk-linux-guest-initrd.sh OUTPUT.cpio.gz [BUSYBOX]}
bb=${2:-$(command -v busybox || true)}
[ -n "$bb" ] && [ -x "$bb" ] || { echo "mk-linux-guest-initrd.sh: no busybox (apt-get install busybox-static)" >&2; exit 1; }
if ! file -L "$bb" 2>/dev/null | grep -q 'statically linked'; then
	echo "mk-linux-guest-initrd.sh: $bb is not statically linked (busybox-static)" >&2
	exit 1
fi

stage=$(mktemp -d "${TMPDIR:-/tmp}/linux-guest-initrd.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin" "$stage/sbin" "$stage/usr/bin" "$stage/usr/sbin" \
	 "$stage/proc" "$stage/sys" "$stage/dev" "$stage/tmp" "$stage/root"
cp "$bb" "$stage/bin/busybox"
for applet in $("$bb" --list-full); do
	[ "$applet" = bin/busybox ] && continue
	ln -s /bin/busybox "$stage/$applet"
done

cat >"$stage/init" <<'INIT'
#!/bin/sh
# /init of vmctl's Linux test guest (tools/vmctl/tests/mk-linux-guest-initrd.sh).
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
mount -t devtmpfs devtmpfs /dev
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs tmpfs /tmp
exec </dev/console >/dev/console 2>&1

mode=test
for word in $(cat /proc/cmdline); do
	case $word in guest.mode=*) mode=${word#guest.mode=} ;; esac
done

echo "LINUX-GUEST-INIT $(uname -r)"
case $mode in
boot)
	poweroff -f
	sleep 10 ;;
idle)
	# Past the boot's deferred work (Linux refines its TSC calibration
	# a second after boot, and again every second while the ACPI PM
	# timer samples it takes are disturbed), say which clock it runs
	# on; then only this shell, asleep: what exits remain are the
	# guest kernel's own (timer ticks, periodic work).
	sleep 5
	echo "LINUX-GUEST-IDLE clocksource=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)" \
		"$(dmesg | grep -E 'tsc: Refined|tsc: Marking|clocksource: Switched' | tr '\n' '|')"
	while :; do sleep 3600; done ;;
esac
if [ "$mode" = shell ]; then
	setsid cttyhack sh
	poweroff -f
fi

# guest.mode=smp (tools/vmctl/tests/linux_smp_test.sh): a multi-core PC
# with local APICs, an I/O APIC and ACPI, booted without workarounds.
# Each check prints LINUX-SMP-<NAME> ok or FAIL with what it saw.
if [ "$mode" = smp ]; then
	want=1 avx2=0
	for word in $(cat /proc/cmdline); do
		case $word in
		guest.cpus=*) want=${word#guest.cpus=} ;;
		guest.avx2=*) avx2=${word#guest.avx2=} ;;
		esac
	done
	say() {	# say NAME STATUS DETAIL
		if [ "$2" = 0 ]; then echo "LINUX-SMP-$1 ok $3"
		else echo "LINUX-SMP-$1 FAIL $3"; fi
	}
	# A /proc/interrupts line's counts, one per online CPU.
	counts() { grep "^ *$1:" /proc/interrupts | awk -v n="$(nproc)" \
		'{ for (i = 2; i <= n + 1; i++) printf "%s ", $i }'; }
	all_grew() {	# all_grew "BEFORE" "AFTER": every count rose
		awk -v a="$1" -v b="$2" 'BEGIN { n = split(a, x); split(b, y)
			if (n == 0) exit 1
			for (i = 1; i <= n; i++) if (y[i] <= x[i]) exit 1 }'
	}
	# Ticks over 2 s with every CPU busy: an idle CPU's tick stops
	# (NO_HZ_IDLE), and with 8 vCPUs one may well sleep through 2 s.
	ticks_grew() {
		i=0 pids=
		while [ "$i" -lt "$(nproc)" ]; do
			taskset -c "$i" sh -c 'while :; do :; done' &
			pids="$pids $!"
			i=$((i + 1))
		done
		l1=$(counts LOC); sleep 2; l2=$(counts LOC)
		# shellcheck disable=SC2086 # one word per pid
		kill $pids
		wait 2>/dev/null
		all_grew "$l1" "$l2"
	}
	n=$(grep -c '^processor' /proc/cpuinfo)
	[ "$n" = "$want" ]; say CPUS $? "$n of $want"
	# The topology CPUID shows (vmctl writes it to match the MADT): one
	# package of $want cores, APIC ID = CPU number, also as CPUID's
	# initial APIC ID.
	topo=$(awk -v n="$want" -F': *' '
		/^processor/ { p = $2 }
		/^physical id/ { if ($2 != 0) bad = bad " cpu" p ":package=" $2 }
		/^cpu cores/ { if ($2 != n) bad = bad " cpu" p ":cores=" $2 }
		/^apicid/ { seen++; if ($2 != p) bad = bad " cpu" p ":apicid=" $2 }
		/^initial apicid/ { if ($2 != p) bad = bad " cpu" p ":initial=" $2 }
		END { if (seen != n) bad = bad " " seen "_apicids"; print bad }' \
		/proc/cpuinfo)
	[ -z "$topo" ]; say CPUINFO_TOPOLOGY $? "$topo"
	# The TSC: "tsc", or "tsc-early" before the refined calibration has
	# replaced it -- which never happens in the emulated test machine,
	# where every read of the ACPI PM timer (an exit, even when svmhv
	# answers it in the kernel) takes
	# longer than Linux's 50000-cycle limit for a clean sample.  Either
	# way the guest trusts its TSC: not marked unstable, no fallback to
	# acpi_pm or jiffies.
	sleep 1
	cs=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)
	case $cs in tsc|tsc-early) st=0 ;; *) st=1 ;; esac
	say CLOCKSOURCE_TSC $st "$cs $(dmesg | grep -i -E 'tsc|clocksource' | tail -n 4 | tr '\n' '|')"
	ticks_grew; say LOCAL_TIMER_TICKS_ON_EVERY_CPU $? "LOC $l1-> $l2"
	if [ "$want" -gt 1 ]; then
		c1=$(counts CAL)
		echo 0 >/sys/devices/system/cpu/cpu1/online
		off=$(cat /sys/devices/system/cpu/cpu1/online)
		echo 1 >/sys/devices/system/cpu/cpu1/online
		on=$(cat /sys/devices/system/cpu/cpu1/online)
		[ "$off$on" = 01 ]; say CPU1_OFFLINE_AND_ONLINE $? "online: $off then $on"
		ticks_grew; say TICKS_AFTER_ONLINE $? "LOC $l1-> $l2"
		c2=$(counts CAL)
		awk -v a="$c1" -v b="$c2" 'BEGIN { split(a, x); n = split(b, y)
			for (i = 1; i <= n; i++) { s1 += x[i]; s2 += y[i] }
			exit !(s2 > s1) }'
		say FUNCTION_CALL_IPIS $? "CAL $c1-> $c2"
	fi
	grep -q '^flags.* x2apic' /proc/cpuinfo; say CPUINFO_X2APIC $? ""
	# The host's ISA (guest.avx2=1 when the host has AVX2): XSAVE with the
	# AVX state enabled (bit 2 of the xstate features) and avx2 shown.
	xs=$(dmesg | sed -n 's/.*x86\/fpu: Enabled xstate features \(0x[0-9a-f]*\).*/\1/p')
	if [ "$avx2" = 1 ]; then
		[ -n "$xs" ] && [ $((xs & 4)) -ne 0 ] &&
			grep -q '^flags.* avx2' /proc/cpuinfo
		say XSAVE_AVX $? "xstate ${xs:-none}"
	else
		say XSAVE_AVX 0 "the host has no AVX2 (xstate ${xs:-none})"
	fi
	dmesg >/tmp/dmesg
	grep -E 'WARNING|BUG:|Oops|Call Trace|ACPI BIOS (Error|Warning)|ACPI (Error|Warning)|APIC.*(bug|mismatch)' \
		/tmp/dmesg | grep -v 'Speculative Return Stack Overflow' >/tmp/bad
	[ ! -s /tmp/bad ]; say DMESG_CLEAN $? "$(head -n 3 /tmp/bad | tr '\n' '|')"
	# guest.highmem=1 (a guest of more than 4 GiB): RAM above the PCI hole
	# is in the e820 map, Linux manages it (ZONE_NORMAL starts at 4 GiB on
	# x86-64, and user pages come from there first), and 64 MiB written to
	# tmpfs reads back intact.
	case " $(cat /proc/cmdline) " in
	*" guest.highmem=1 "*)
		total=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
		high=$(grep -c '^1[0-9a-f]\{8\}-.* : System RAM' /proc/iomem)
		normal=$(awk '/^Node 0, zone/ { z = $4 } z == "Normal" && $1 == "present" { print $2; exit }' /proc/zoneinfo)
		want=$(yes 0123456789abcdef | head -c 67108864 | md5sum | cut -d' ' -f1)
		mkdir -p /dev/shm && mount -t tmpfs tmpfs /dev/shm 2>/dev/null
		yes 0123456789abcdef | head -c 67108864 >/dev/shm/big
		got=$(md5sum </dev/shm/big | cut -d' ' -f1)
		[ "$total" -gt 5767168 ] && [ "$high" -ge 1 ] &&
			[ "${normal:-0}" -gt 0 ] && [ "$got" = "$want" ]
		say HIGHMEM $? "MemTotal ${total} kB, $high RAM range(s) above 4 GiB, ZONE_NORMAL ${normal:-none} pages, md5 $got"
		rm -f /dev/shm/big ;;
	esac
	echo "LINUX-SMP-DONE"
	# guest.end=reboot: leave through the ACPI reset register instead.
	case " $(cat /proc/cmdline) " in
	*" guest.end=reboot "*) reboot -f ;;
	esac
	poweroff -f
	sleep 10
fi

# One function per check, named after the LINUX-GUEST-* line it prints.
CPUINFO() { grep -q '^flags.* hypervisor' /proc/cpuinfo; }
TMPFS() {
	echo "written in tmpfs" >/tmp/probe && [ "$(cat /tmp/probe)" = "written in tmpfs" ]
}
UPTIME() {
	u1=$(cut -d' ' -f1 /proc/uptime)
	sleep 5
	u2=$(cut -d' ' -f1 /proc/uptime)
	echo "LINUX-GUEST-UPTIME $u1 -> $u2"
	awk -v a="$u1" -v b="$u2" 'BEGIN { exit !(b - a >= 4.5) }'
}
for t in CPUINFO TMPFS UPTIME; do
	if $t; then echo "LINUX-GUEST-$t ok"; else echo "LINUX-GUEST-$t FAIL"; fi
done
echo "LINUX-GUEST-DONE"
poweroff -f
sleep 10
INIT
chmod 0755 "$stage/init"

(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) | gzip -1 >"$out"
