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
#   GUEST_KERNELS  kernel versions whose virtio modules to carry (default:
#            every complete kernel, scripts/kver.sh --all); each gets
#            /lib/modules/VERSION/*.ko and virtio.order, the load order of
#            virtio_pci, virtio-rng, virtio_net (with failover and
#            net_failover), virtio_console, virtio_blk, crc32c_generic
#            and ext4 with their dependencies (ext4: crc16, mbcache, jbd2),
#            decompressed (busybox insmod loads plain ELF); what a kernel
#            has built in (6.12: virtio_pci and its helpers) is not there
#
# The guest's /init: with root=DEVICE on the kernel command line, mount
# DEVICE (ext4, ro or rw as the command line says) and switch_root to its
# /sbin/init (mk-linux-guest-rootfs.sh); otherwise, by guest.mode=:
#   test (default)  print LINUX-GUEST-INIT on the console, check that
#       /proc/cpuinfo has the hypervisor flag, write and read a file in
#       tmpfs, let 5 s of guest time pass with the timer ticking (uptime
#       and jiffies-driven sleep), each check printing a LINUX-GUEST-*
#       line with ok/FAIL, then LINUX-GUEST-DONE and power off.
#   shell  an interactive shell on the console; power off when it exits.
#   smp, virtio  see linux_smp_test.sh and linux_virtio_test.sh.
#   net  see linux_net_test.sh.
#   boot   (make bench) power off right after the LINUX-GUEST-INIT line:
#          the benchmark times VMMs from their start to that line.
#   iobench (make bench) virtio disk and network throughput, below.
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

# The virtio modules of each guest kernel, dependencies first.
repo=$(cd "$(dirname "$0")/../../.." && pwd)
# KVER='': under scripts/check.sh (which exports KVER) kver.sh would name
# only the kernel being checked, and this initramfs, built once, serves all.
# KERNEL_ROOT='': the guests are the kernels installed here (modules from
# /lib/modules), also when make check-debug tests a kernel built elsewhere.
kernels=${GUEST_KERNELS-$(KVER='' KERNEL_ROOT='' "$repo/scripts/kver.sh" --all 2>/dev/null || true)}
for k in $kernels; do
	md=/lib/modules/$k
	[ -s "$md/modules.dep" ] || continue
	mkdir -p "$stage$md"
	: >"$stage$md/virtio.order"
	# add_module NAME: NAME's dependencies, then NAME.  POSIX sh has no
	# local variables: the recursion runs in subshells.
	add_module() {
		rel=$(awk -F: -v n="$1" '{ b = $1; sub(/.*\//, "", b)
			sub(/\.ko.*/, "", b); gsub(/-/, "_", b)
			if (b == n) { print; exit } }' "$md/modules.dep")
		[ -n "$rel" ] || return 0	# built in
		for dep in ${rel#*:}; do
			d=${dep##*/}; d=${d%%.ko*}
			(add_module "$(echo "$d" | tr - _)")
		done
		f=${rel%%:*}
		b=${f##*/}; b=${b%%.ko*}.ko
		grep -qx "$b" "$stage$md/virtio.order" && return 0
		case $f in
		*.xz)  xz -dc "$md/$f" >"$stage$md/$b" ;;
		*.zst) zstd -qdc "$md/$f" >"$stage$md/$b" ;;
		*.gz)  gzip -dc "$md/$f" >"$stage$md/$b" ;;
		*)     cp "$md/$f" "$stage$md/$b" ;;
		esac
		echo "$b" >>"$stage$md/virtio.order"
	}
	add_module virtio_pci
	add_module virtio_rng
	add_module virtio_net
	add_module virtio_console
	# vmctl --disk: the disk, and ext4 for the image on it.  ext4 asks
	# the crypto API for crc32c (metadata_csum) at mount time, and the
	# guest has no modprobe to load it then: it goes in first.
	add_module virtio_blk
	add_module crc32c_generic
	add_module ext4
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

# The modules of virtio.order (the virtio drivers, ext4 for a disk);
# $bad names those that failed to load, with insmod's complaint.
load_modules() {
	md=/lib/modules/$(uname -r) bad=
	[ -r "$md/virtio.order" ] || return 0
	while read -r ko; do
		insmod "$md/$ko" 2>/tmp/insmod || grep -q 'File exists' /tmp/insmod ||
			bad="$bad $ko:$(tr '\n' ' ' </tmp/insmod)"
	done <"$md/virtio.order"
}

# virtio_nic: the name of the network interface virtio_net drives.
virtio_nic() {
	for n in /sys/class/net/*; do
		case $(readlink "$n/device/driver" 2>/dev/null) in
		*/virtio_net) echo "${n##*/}"; return ;;
		esac
	done
}

# arg NAME DEFAULT: VALUE of NAME=VALUE on the kernel command line, else
# DEFAULT.
arg() {
	for word in $(cat /proc/cmdline); do
		case $word in "$1="*) echo "${word#*=}"; return ;; esac
	done
	echo "$2"
}

mode=test root= rootmode=ro
for word in $(cat /proc/cmdline); do
	case $word in
	guest.mode=*) mode=${word#guest.mode=} ;;
	root=*) root=${word#root=} ;;
	ro|rw) rootmode=$word ;;
	esac
done

# root=DEVICE (with ro or rw), as Debian's initramfs takes it: the root
# file system is on a disk (linux_rootdisk_test.sh: vmctl --disk).  Load
# what the disk needs (Debian builds virtio_blk and ext4 as modules),
# wait for the device, mount it and hand over to its /sbin/init.
if [ -n "$root" ]; then
	load_modules
	i=0
	while [ ! -b "$root" ] && [ "$i" -lt 30 ]; do
		sleep 1
		i=$((i + 1))
	done
	mkdir -p /newroot
	if mount -t ext4 -o "$rootmode" "$root" /newroot 2>/tmp/mount &&
		[ -x /newroot/sbin/init ]; then
		echo "LINUX-GUEST-ROOT $root $rootmode$bad"
		umount /tmp /sys /proc
		mount --move /dev /newroot/dev
		exec switch_root /newroot /sbin/init
	fi
	echo "LINUX-GUEST-ROOT FAIL $root: $(tr '\n' ' ' </tmp/mount)$bad"
	poweroff -f
	sleep 10
fi

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

# guest.mode=iobench (make bench, scripts/guest-init.sh): under either VMM,
# a virtio disk (/dev/vda, scratch) and a virtio NIC on the host's tap
# (10.0.2.1/24).  bench/guestio -- in a second archive that the bench
# appends to this initramfs -- times sequential writes and reads of
# guest.io_mib= MiB, guest.io_ops= random 4 KiB reads, and guest.net_mib=
# MiB sent over TCP to the host's guestio tcp-sink on port 5003; its
# GUESTIO lines go to the console, then LINUX-GUEST-IODONE and power off.
if [ "$mode" = iobench ]; then
	io_mib=$(arg guest.io_mib 128) io_ops=$(arg guest.io_ops 5000)
	net_mib=$(arg guest.net_mib 64)
	load_modules
	[ -z "$bad" ] || echo "LINUX-GUEST-IOFAIL modules:$bad"
	nic=$(virtio_nic)
	i=0
	while [ ! -b /dev/vda ] && [ "$i" -lt 10 ]; do
		sleep 1
		i=$((i + 1))
	done
	ip link set "$nic" up && ip addr add 10.0.2.15/24 dev "$nic" ||
		echo "LINUX-GUEST-IOFAIL no virtio NIC ($nic)"
	guestio blk-seq-write /dev/vda "$io_mib" &&
		guestio blk-seq-read /dev/vda "$io_mib" &&
		guestio blk-rand-read /dev/vda "$io_ops" &&
		guestio tcp-send 10.0.2.1 5003 "$net_mib" ||
		echo "LINUX-GUEST-IOFAIL guestio status $?"
	echo "LINUX-GUEST-IODONE"
	poweroff -f
	sleep 10
fi

# guest.mode=net (tools/vmctl/tests/linux_net_test.sh): vmctl --net on
# the host's tap0 (10.0.2.1/24).  Debian's virtio_net finds the device,
# the guest takes 10.0.2.15/24 and talks to the host: ping, large pings,
# guest.kib= KiB each way (nc from and to the host's listeners).
# guest.mac= is the address vmctl was given, guest.md5= the checksum of
# the file the host serves.  Each check prints LINUX-NET-<NAME> ok or FAIL.
if [ "$mode" = net ]; then
	wantmac=$(arg guest.mac '') wantmd5=$(arg guest.md5 '') host=10.0.2.1
	kib=$(arg guest.kib 1024)
	say() {	# say NAME STATUS DETAIL
		if [ "$2" = 0 ]; then echo "LINUX-NET-$1 ok $3"
		else echo "LINUX-NET-$1 FAIL $3"; fi
	}
	load_modules
	[ -z "$bad" ] && [ -d /sys/bus/virtio/drivers/virtio_net ]
	say MODULES $? "$(tr '\n' ' ' <"$md/virtio.order" 2>/dev/null)$bad"
	dev=
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat "$d/vendor")" = 0x1af4 ] && [ "$(cat "$d/device")" = 0x1041 ] && dev=$d
	done
	[ -n "$dev" ]; say PCI_DEVICE $? "${dev##*/} class $(cat "$dev/class" 2>/dev/null)"
	nic=$(virtio_nic)
	[ -n "$nic" ]; say NETDEV $? "$nic"
	mac=$(cat "/sys/class/net/$nic/address" 2>/dev/null)
	[ -n "$mac" ] && [ "$mac" = "$wantmac" ]; say MAC $? "$mac, given $wantmac"
	# Negotiated feature bits, one character per bit: MAC (5) and
	# STATUS (16), INDIRECT_DESC (28), EVENT_IDX (29) and VERSION_1 (32)
	# always; CSUM (0), GUEST_CSUM (1), GUEST_TSO4/6 (7, 8), HOST_TSO4/6
	# (11, 12) when the host's tap takes the offloads (guest.offloads=1);
	# nothing else (no MRG_RXBUF, CTRL_VQ, ...).
	f=$(cat "/sys/class/net/$nic/device/features" 2>/dev/null)
	want=0000010000000000100000000000110010
	case $(cat /proc/cmdline) in
	*guest.offloads=1*) want=1100010110011000100000000000110010 ;;
	esac
	case $f in "$want"*) st=0 ;; *) st=1 ;; esac
	say FEATURES $st "$f"
	ip link set "$nic" up && ip addr add 10.0.2.15/24 dev "$nic"
	say IP_UP $? "$(ip addr show "$nic" 2>&1 | tr -s ' \n' ' ')"
	sleep 1
	[ "$(cat "/sys/class/net/$nic/carrier" 2>/dev/null)" = 1 ]
	say LINK_UP $? "carrier $(cat "/sys/class/net/$nic/carrier" 2>/dev/null), operstate $(cat "/sys/class/net/$nic/operstate" 2>/dev/null)"
	ping -c 3 -W 10 "$host" >/tmp/ping 2>&1
	say PING_HOST $? "$(tail -n 2 /tmp/ping | tr '\n' ' ')"
	ping -c 4 -s 8000 -W 10 "$host" >/tmp/ping 2>&1 && grep -q ' 0% packet loss' /tmp/ping
	say PING_8000 $? "$(tail -n 2 /tmp/ping | tr '\n' ' ')"
	# The host's nc sends the file and closes; this one must not see
	# EOF on its stdin first (it would shut its side and the host's nc
	# would quit), so stdin is a FIFO held open here.  (busybox-static's
	# wget crashes in this guest, hence no HTTP.)
	mkfifo /tmp/hold
	exec 3<>/tmp/hold
	nc "$host" 5002 </tmp/hold >/tmp/down 2>/tmp/nc
	st=$?
	exec 3>&-
	got=$(md5sum </tmp/down | cut -d' ' -f1)
	[ "$st" = 0 ] && [ "$got" = "$wantmd5" ]
	say DOWNLOAD $? "nc status $st, $(wc -c </tmp/down) bytes, md5 $got, want $wantmd5 $(tr '\n' ' ' </tmp/nc)"
	dd if=/dev/urandom of=/tmp/up bs=1024 count="$kib" 2>/dev/null
	echo "LINUX-NET-UPLOAD-MD5 $(md5sum </tmp/up | cut -d' ' -f1)"
	nc "$host" 5001 </tmp/up >/dev/null 2>/tmp/nc
	say UPLOAD_SENT $? "$(tr '\n' ' ' </tmp/nc)"
	# Time for the host to ping this address back.
	echo "LINUX-NET-WAITING-FOR-HOST-PING"
	sleep 4
	grep virtio /proc/interrupts | tr -s ' ' | sed 's/^/LINUX-NET-IRQ /'
	for s in rx_packets rx_bytes rx_dropped rx_errors tx_packets tx_bytes tx_dropped tx_errors; do
		printf '%s=%s ' "$s" "$(cat "/sys/class/net/$nic/statistics/$s")"
	done | sed 's/^/LINUX-NET-STATS /; s/$/\n/'
	dmesg >/tmp/dmesg
	grep -E 'WARNING|BUG:|Oops|Call Trace|virtio.*(error|fail|broken)|virtio_net.*(rx|tx|error)|NETDEV WATCHDOG|timed out|pci .*(can.t claim|no space|failed to assign)|irq [0-9]+: nobody cared' \
		/tmp/dmesg | grep -v 'Speculative Return Stack Overflow' >/tmp/bad
	[ ! -s /tmp/bad ]; say DMESG_CLEAN $? "$(head -n 3 /tmp/bad | tr '\n' '|')"
	echo "LINUX-NET-DONE"
	poweroff -f
	sleep 10
fi

# guest.mode=smp (tools/vmctl/tests/linux_smp_test.sh): a multi-core PC
# with local APICs, an I/O APIC and ACPI, booted without workarounds.
# Each check prints LINUX-SMP-<NAME> ok or FAIL with what it saw.
if [ "$mode" = smp ]; then
	want=$(arg guest.cpus 1) avx2=$(arg guest.avx2 0)
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

# guest.mode=virtio (tools/vmctl/tests/linux_virtio_test.sh): vmctl --rng
# on the multi-core PC.  Debian's own virtio_pci and virtio-rng drivers
# (modules carried in /lib/modules, or built in) find the device on PCI,
# negotiate, and feed /dev/hwrng; guest.msix=0 says the boot runs with
# pci=nomsi, so interrupts come through INTx and the I/O APIC.
# vmctl --disk (linux_virtio_test.sh, guest.disk=write or verify):
# /dev/vda is the ext4 image of mk-linux-guest-disk.sh, /dev/vdb a
# read-only raw image whose md5 is guest.vdb_md5.  write: mount vda, read
# its known files, write /newfile (2000 lines naming guest.nonce) and
# fsync it, write two 2 MiB files at once with O_DIRECT and read them
# back from the disk, check that vdb reads as the host's bytes and that a
# write to it fails, unmount.  verify (a later boot): what write left is
# there, byte for byte.  LINUX-VIRTIO-DISK_* lines, ok or FAIL.  busy:
# keep O_DIRECT writes, flushes and reads of a scratch /dev/vda in flight
# until vmctl is stopped from outside (LINUX-VIRTIO-DISK_BUSY says when).
virtio_disks() {
	disk=$(arg guest.disk none) nonce=$(arg guest.nonce none)
	vdb_md5=$(arg guest.vdb_md5 none)
	[ "$disk" = none ] && return 0
	newfile() { awk -v n="$nonce" 'BEGIN { for (i = 1; i <= 2000; i++)
		printf "svmhv-disk %s line %d\n", n, i }'; }
	# What was read comes from the disk again, not the page cache.
	drop_caches() { sync; echo 3 >/proc/sys/vm/drop_caches; }
	# The interrupts of the virtio device behind a block device.
	irqs_of() { v=$(basename "$(readlink "/sys/block/$1/device")")
		grep -E " $v(-|\$)" /proc/interrupts; }
	irq_sum() { irqs_of "$1" | awk '{ for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i } END { print s + 0 }'; }

	if [ "$disk" = busy ]; then
		( while :; do dd if=/dev/zero of=/dev/vda bs=65536 count=16 \
			oflag=direct conv=fsync 2>/dev/null; done ) &
		( while :; do dd if=/dev/vda of=/dev/null bs=65536 \
			iflag=direct 2>/dev/null; done ) &
		sleep 2
		echo "LINUX-VIRTIO-DISK_BUSY $(irq_sum vda) interrupts so far"
		sleep 3600
	fi
	ro=$(cat /sys/block/vda/ro 2>/dev/null)/$(cat /sys/block/vdb/ro 2>/dev/null)
	nq=$(ls /sys/block/vda/mq 2>/dev/null | wc -l)
	[ "$ro" = 0/1 ] && [ "$nq" = "$(nproc)" ]
	say DISK_DEVICES $? "ro vda/vdb $ro, vda queues $nq for $(nproc) CPUs, sectors $(cat /sys/block/vda/size /sys/block/vdb/size 2>/dev/null | tr '\n' ' ')serial $(cat /sys/block/vda/serial 2>/dev/null)"
	mkdir -p /mnt
	mount -t ext4 /dev/vda /mnt 2>/tmp/mount
	mounted=$?
	say DISK_MOUNT $mounted "$(tr '\n' ' ' </tmp/mount)$(grep ' /mnt ' /proc/mounts)"
	# Without the disk the file checks below would only see the tmpfs.
	[ "$mounted" = 0 ] && [ "$(cat /mnt/hello.txt 2>/dev/null)" = "hello from the build machine" ] &&
		(cd /mnt && md5sum -c MANIFEST) >/tmp/md5 2>&1
	say DISK_READ_FILES $? "$(tr '\n' ' ' </tmp/md5)"
	newfile >/tmp/newfile
	if [ "$disk" = write ]; then
		# conv=fsync: dd's fsync, an ext4 journal commit and a FLUSH
		[ "$mounted" = 0 ] &&
			dd if=/tmp/newfile of=/mnt/newfile bs=4096 conv=fsync 2>/tmp/dd
		say DISK_WRITE_FSYNC $? "$(wc -c </tmp/newfile) bytes: $(tail -n 1 /tmp/dd)"
		head -c 2097152 /dev/urandom >/tmp/par1
		head -c 2097152 /dev/urandom >/tmp/par2
		(cd /tmp && md5sum par1 par2) >/tmp/par.md5
		dd if=/tmp/par1 of=/mnt/par1 bs=65536 oflag=direct conv=fsync 2>/tmp/dd1 &
		p1=$!
		dd if=/tmp/par2 of=/mnt/par2 bs=65536 oflag=direct conv=fsync 2>/tmp/dd2 &
		p2=$!
		wait "$p1"; s1=$?
		wait "$p2"; s2=$?
		cp /tmp/par.md5 /mnt/par.md5 && sync
		drop_caches
		[ "$mounted$s1$s2" = 000 ] && (cd /mnt && md5sum -c par.md5) >/tmp/md5 2>&1
		say DISK_PARALLEL_WRITES $? "dd $s1 $s2: $(tr '\n' ' ' </tmp/md5)"
	else
		[ "$mounted" = 0 ] && cmp /tmp/newfile /mnt/newfile >/tmp/cmp 2>&1 &&
			(cd /mnt && md5sum -c par.md5) >/tmp/md5 2>&1
		say DISK_PERSISTED $? "newfile: $(tr '\n' ' ' </tmp/cmp)$(tr '\n' ' ' </tmp/md5)"
	fi
	umount /mnt
	say DISK_UMOUNT $? ""
	sum=$(md5sum </dev/vdb | cut -d' ' -f1)
	[ "$sum" = "$vdb_md5" ]; say DISK_RO_READ $? "vdb $sum, host $vdb_md5"
	# Refused by Linux itself (EPERM: virtio_blk marks the disk read-only
	# for VIRTIO_BLK_F_RO), or by vmctl (EIO) if a write got through.
	if dd if=/dev/zero of=/dev/vdb bs=4096 count=1 oflag=direct conv=fsync 2>/tmp/ddro; then
		st=1
	else
		st=0
	fi
	say DISK_RO_WRITE_FAILS $st "$(tr '\n' ' ' </tmp/ddro)"
	drop_caches
	sum=$(md5sum </dev/vdb | cut -d' ' -f1)
	[ "$sum" = "$vdb_md5" ]; say DISK_RO_UNCHANGED $? "vdb $sum"
	lines=$(irqs_of vda | tr -s ' ' | tr '\n' '|')
	if [ "$msix" = 1 ]; then
		n=$(irqs_of vda | grep -c 'MSI.*-req\.')
		[ "$(irq_sum vda)" -gt 0 ] && [ "$n" = "$(nproc)" ]
	else
		irqs_of vda | grep -q 'IO-APIC' && [ "$(irq_sum vda)" -gt 0 ]
	fi
	say DISK_INTERRUPTS $? "$lines"
}

# vmctl --vconsole (linux_virtio_test.sh, guest.hvc=pty or log):
# Debian's virtio_console makes the device /dev/hvc0.  The guest opens it
# (raw, no echo), writes a LINUX-HVC-OUT line naming guest.nonce and,
# with pty, reads one line from the host, which must be "host-says
# NONCE".  LINUX-VIRTIO-HVC_* lines, ok or FAIL.
virtio_hvc() {
	hvc=$(arg guest.hvc none) nonce=$(arg guest.nonce none)
	[ "$hvc" = none ] && return 0
	i=0
	while [ ! -c /dev/hvc0 ] && [ "$i" -lt 10 ]; do
		sleep 1
		i=$((i + 1))
	done
	[ -c /dev/hvc0 ] && exec 4<>/dev/hvc0
	st=$?
	say HVC_DEVICE $st "$(ls -l /dev/hvc0 2>&1) driver $(basename "$(readlink /sys/bus/virtio/drivers/virtio_console/virtio* 2>/dev/null)")"
	[ "$st" = 0 ] || return 0
	stty raw -echo <&4 2>/dev/null
	echo "LINUX-HVC-OUT $nonce" >&4
	say HVC_WRITE $? ""
	if [ "$hvc" = pty ]; then
		line=
		read -r -t 120 line <&4
		line=$(echo "$line" | tr -d '\r')
		[ "$line" = "host-says $nonce" ]; say HVC_READ $? "read '$line'"
	fi
	exec 4<&-
}

if [ "$mode" = virtio ]; then
	msix=$(arg guest.msix 1)
	say() {	# say NAME STATUS DETAIL
		if [ "$2" = 0 ]; then echo "LINUX-VIRTIO-$1 ok $3"
		else echo "LINUX-VIRTIO-$1 FAIL $3"; fi
	}
	load_modules
	[ -z "$bad" ] && [ -d /sys/bus/pci/drivers/virtio-pci ]
	say MODULES $? "$(cat "$md/virtio.order" 2>/dev/null | tr '\n' ' ')$bad"
	dev=
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat "$d/vendor")" = 0x1af4 ] && [ "$(cat "$d/device")" = 0x1044 ] && dev=$d
	done
	[ -n "$dev" ]; say PCI_DEVICE $? "${dev##*/} $(cat "$dev/class" "$dev/revision" 2>/dev/null | tr '\n' ' ')"
	drv=$(basename "$(readlink "$dev/driver" 2>/dev/null)")
	[ "$drv" = virtio-pci ]; say DRIVER_BOUND $? "$drv"
	sleep 1
	cur=$(cat /sys/class/misc/hw_random/rng_current 2>/dev/null)
	case $cur in virtio_rng*) st=0 ;; *) st=1 ;; esac
	say HWRNG_CURRENT $st "$cur"
	before=$(grep 'virtio0' /proc/interrupts | awk '{ for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i } END { print s + 0 }')
	head -c 65536 /dev/hwrng >/tmp/rnd
	n=$(wc -c </tmp/rnd)
	# Random bytes: 64 KiB take far more than 200 distinct 16-byte lines
	# (all-zero or a repeated buffer would give a handful).
	u=$(od -An -tx1 -v /tmp/rnd | sort -u | wc -l)
	[ "$n" = 65536 ] && [ "$u" -gt 4000 ]; say READ_64K $? "$n bytes, $u distinct lines"
	after=$(grep 'virtio0' /proc/interrupts | awk '{ for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i } END { print s + 0 }')
	lines=$(grep 'virtio0' /proc/interrupts | tr -s ' ' | tr '\n' '|')
	if [ "$msix" = 1 ]; then
		[ -n "$(ls "$dev/msi_irqs" 2>/dev/null)" ] &&
			grep 'virtio0-' /proc/interrupts | grep -q 'MSI'
		say MSIX_IN_USE $? "msi_irqs: $(ls "$dev/msi_irqs" 2>/dev/null | tr '\n' ' ')| $lines"
	else
		[ -z "$(ls "$dev/msi_irqs" 2>/dev/null)" ] &&
			grep 'virtio0' /proc/interrupts | grep -q 'IO-APIC'
		say INTX_IN_USE $? "$lines"
	fi
	[ "$after" -gt "$before" ]; say INTERRUPTS_COUNTED $? "$before -> $after"
	virtio_disks
	virtio_hvc
	dmesg >/tmp/dmesg
	grep -E 'WARNING|BUG:|Oops|Call Trace|ACPI BIOS (Error|Warning)|ACPI (Error|Warning)|APIC.*(bug|mismatch)|virtio.*(error|fail|broken)|pci .*(can.t claim|no space|failed to assign|BAR .* invalid)|PCI: .*(fail|error|Fatal)|irq [0-9]+: nobody cared|EXT4-fs (error|warning)|JBD2.*(error|fail)|I/O error, dev vda|Buffer I/O error' \
		/tmp/dmesg | grep -v 'Speculative Return Stack Overflow' >/tmp/bad
	[ ! -s /tmp/bad ]; say DMESG_CLEAN $? "$(head -n 3 /tmp/bad | tr '\n' '|')"
	grep -E 'pci|PCI|virtio' /tmp/dmesg | sed 's/^/LINUX-VIRTIO-LOG /' | head -n 40
	echo "LINUX-VIRTIO-DONE"
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
