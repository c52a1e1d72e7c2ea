#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the svmhv test initramfs (built by scripts/mkinitramfs.sh), run
# by busybox sh as PID 1 of Debian's kernel on QEMU's emulated EPYC.  It
# mounts the pseudo file systems and does what svmhv.mode= on the kernel
# command line asks (default: /etc/svmhv-mode):
#   check  module-load tests, insmod svmhv, every selftest in tests.list and
#          the vmctl in-VM test, each between SVMHV-PROG-BEGIN/END markers
#          and under a timeout (svmhv.timeout=, default 120 s; the Linux
#          boot test's per boot: svmhv.linux_timeout=, default 150 s),
#          rmmod, kmemleak's reports before and after it (kernels that
#          have it) between SVMHV-KMEMLEAK-BEGIN/END, lockdep's state
#          (SVMHV-DEBUG-LOCKS 1: still checking), the kernel log between
#          SVMHV-DMESG-BEGIN/END, then SVMHV-CHECK-DONE;
#          scripts/check.sh reads all of that off the serial console
#   run    insmod svmhv and run tools/vmctl/guests/hello.bin with vmctl
#   shell  a busybox shell for humans
#   bench  bench/svmbench under svmhv and Debian's kvm_amd, interleaved
#          round by round (svmhv.rounds=, default 5; svmhv.thp=1 adds the
#          first-touch run with transparent huge pages; svmhv.icount=1
#          says QEMU counts instructions), then the table and
#          bench/results.json between SVMHV-BENCH-JSON-BEGIN/END; then
#          Linux booted to its /init with 1 and 2 vCPUs by vmctl on svmhv
#          and by Debian's QEMU on kvm_amd, timed by bench/vmmboot (BENCH
#          lines, workload boot1/boot2, as many rounds: "boot"), and the
#          exits of an idle 2-vCPU guest under vmctl (SVMHV-BENCH-IDLE
#          lines: "idle"); svmhv.workloads=a,b runs only those of
#          svmbench's --only groups and of boot and idle; read off the
#          console by bench/run-emulated.sh (`make bench`)
#   smp    Linux guests with 1, 2, 4 and 8 vCPUs on the multi-core PC
#          (tools/vmctl/tests/linux_smp_test.sh), then with a virtio-rng
#          (tools/vmctl/tests/linux_virtio_test.sh) and a virtio-net on
#          a tap (tools/vmctl/tests/linux_net_test.sh), in a one-CPU host
#   hostlife the host's own life with svmhv loaded (scripts/hostlife.sh):
#          a suspend/resume cycle through /sys/power/pm_test, a guest on
#          each CPU, then `reboot -f` while a guest runs; markers
#          SVMHV-HL ...; ends in a reboot, not power_off
# and powers off.  No `set -e`: if PID 1 exits the kernel panics, so every
# step checks its own status and the script always ends in power_off.
set -u
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
# Where tools/vmctl/tests/vmctl_test.sh finds vmctl and the guest images.
export VMCTL=/usr/bin/vmctl SVMHV_GUESTS=/guests

mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs -o mode=1777 tmpfs /tmp
mkdir -p /dev/shm /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t devpts devpts /dev/pts
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
hostname svmhv-test

cmdline_arg() {	# cmdline_arg NAME: value of NAME= on the kernel command line
	read -r cmdline </proc/cmdline
	for word in $cmdline; do
		case $word in
		"$1="*) echo "${word#*=}"; return 0 ;;
		esac
	done
	return 1
}

power_off() {
	sync
	# QEMU exits the moment the port write below lands, while what was
	# echoed last may still wait in the console tty's buffer (a check run
	# once lost its final lines so).  stty applies a changed setting with
	# TCSETSW, which waits until the UART has sent everything: toggle one
	# harmless flag so that at least one of the two calls changes it.
	stty -F /dev/console tostop 2>/dev/null
	stty -F /dev/console -tostop 2>/dev/null
	# isa-debug-exit (port 0xf4): QEMU exits with status (0x10 << 1) | 1
	# = 33, which scripts/run-vm.sh reports as a clean guest power-off.
	printf '\020' | dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
	poweroff -f
	sleep 60
}

mode=$(cmdline_arg svmhv.mode || cat /etc/svmhv-mode)
prog_timeout=$(cmdline_arg svmhv.timeout || echo 120)
# svmhv.only=a,b: run only these programs of the check (CHECK_ONLY of
# scripts/check.sh); the module-load tests and the final checks always run.
only=$(cmdline_arg svmhv.only || echo)

# svmhv.modparams=a=1,b=2: parameters for svmhv's insmod in the check and
# smp boots (busybox's insmod does not read them from the kernel command
# line, as modprobe does), e.g. VM_APPEND=svmhv.modparams=pause_exits=0.
modparams=$(cmdline_arg svmhv.modparams | tr , ' ')

wanted() {	# wanted PROG: is PROG part of this check run?
	[ -z "$only" ] && return 0
	case ",$only," in *",$1,"*) return 0 ;; esac
	return 1
}

# Report hung tasks within the run, not after the default 120 s.
echo 30 >/proc/sys/kernel/hung_task_timeout_secs 2>/dev/null

flags=" $(grep -m1 '^flags' /proc/cpuinfo) "
svm=no; npt=no
case $flags in *" svm "*) svm=yes ;; esac
case $flags in *" npt "*) npt=yes ;; esac
echo "SVMHV-BOOT kernel=$(uname -r) mode=$mode cpus=$(nproc) svm=$svm npt=$npt"

module_loaded() {
	grep -q '^svmhv ' /proc/modules
}

# run_prog NAME DIR CMD...: run CMD in DIR under the per-program timeout
# ($limit if set, else svmhv.timeout), between markers.  TERM first so a
# kselftest harness can still print its totals, KILL 5 s later.
run_prog() {
	name=$1 dir=$2
	shift 2
	t=${limit:-$prog_timeout}
	echo "SVMHV-PROG-BEGIN $name"
	start=$(date +%s)
	(cd "$dir" && exec timeout -k 5 "$t" "$@" </dev/null)
	rc=$?
	elapsed=$(($(date +%s) - start))
	if [ "$rc" -ge 128 ] && [ "$elapsed" -ge "$t" ]; then
		echo "SVMHV-PROG-TIMEOUT $name after ${elapsed}s"
	fi
	echo "SVMHV-PROG-END $name rc=$rc"
}

# print_load_addresses: where the kernel and svmhv's code sit (KASLR), so
# that the RIPs scripts/run-vm.sh dumps from a hung machine can be named.
print_load_addresses() {
	echo "SVMHV-ADDR _text=$(awk '$3 == "_text" { print $1 }' /proc/kallsyms)" \
		"svmhv.text=$(cat /sys/module/svmhv/sections/.text 2>/dev/null)"
}

# log_vmcb_addresses: print each VMCB's and each CPU's host save area's
# physical address as svmhv allocates them (its only pr_debug lines, on
# with insmod's dyndbg=+p) as SVMHV-VMCB lines, so that scripts/run-vm.sh
# can read the VMCBs of a hung machine from outside.  /dev/kmsg gives one
# record per read, which needs a large buffer: cat reads it, not the shell.
log_vmcb_addresses() {
	# shellcheck disable=SC2002 # cat on purpose: the shell reads bytewise
	(cat /dev/kmsg | while read -r record; do
		case $record in
		*svmhv:\ vcpu\ *\ vmcb\ *|*svmhv:\ CPU\ *\ hsave\ *)
			echo "SVMHV-VMCB ${record#*;}" ;;
		esac
	done) &
}

# heartbeat: a line on the second serial port every 2 s, for as long as
# this kernel gets its timer interrupts; scripts/run-vm.sh watches it
# (LOG.beat) to notice within seconds when the emulated CPU stops taking
# them.  At the highest priority, so that a busy host does not delay it.
heartbeat() {
	[ -c /dev/ttyS1 ] || return 0
	(while :; do date +%s; sleep 2; done >/dev/ttyS1 2>/dev/null) &
	renice -n -20 -p $! >/dev/null 2>&1 || true
}

# kmemleak_report WHEN: on kernels with kmemleak (make check-debug), scan
# (twice: objects younger than 5 s are not reported yet) and print the
# objects nothing points to any more between SVMHV-KMEMLEAK-BEGIN/END,
# then clear the list so that the next report shows only new ones.
kmemleak_report() {
	[ -w /sys/kernel/debug/kmemleak ] || return 0
	echo scan >/sys/kernel/debug/kmemleak
	sleep 6
	echo scan >/sys/kernel/debug/kmemleak
	echo "SVMHV-KMEMLEAK-BEGIN $1"
	cat /sys/kernel/debug/kmemleak
	echo "SVMHV-KMEMLEAK-END"
	echo clear >/sys/kernel/debug/kmemleak
}

# The end of a check boot: unload, the kernel log, the final marker
# (scripts/check-summary.awk reads them), with kmemleak's reports before
# and after the unload and lockdep's state where the kernel has them.
end_check() {
	# Leaks of the tests, while svmhv's symbols still name its stack
	# frames; then those of its unloading.
	kmemleak_report "svmhv loaded, tests done"
	if module_loaded; then
		rmmod svmhv
		echo "SVMHV-RMMOD rc=$?"
	else
		echo "SVMHV-RMMOD rc=not-loaded"
	fi
	kmemleak_report "svmhv unloaded"
	# Kernels with lockdep: it turns itself off after its first report
	# (or when it runs out of room), and then finds nothing more.
	if [ -r /proc/lockdep_stats ]; then
		echo "SVMHV-DEBUG-LOCKS $(awk '$1 == "debug_locks:" { print $2 }' /proc/lockdep_stats)"
	fi

	echo "SVMHV-DMESG-BEGIN"
	dmesg
	echo "SVMHV-DMESG-END"
	echo "SVMHV-CHECK-DONE"
}

do_check() {
	if [ -x /selftests/module_load.sh ]; then
		run_prog module_load.sh /selftests /selftests/module_load.sh
	fi

	# shellcheck disable=SC2086 # one word per parameter
	insmod /svmhv/svmhv.ko $modparams
	echo "SVMHV-INSMOD rc=$?"
	print_load_addresses

	if [ -r /selftests/tests.list ]; then
		while read -r prog; do
			case $prog in
			""|module_load.sh) continue ;;	# ran above, unloaded
			esac
			wanted "$prog" || continue
			run_prog "$prog" /selftests "/selftests/$prog"
		done </selftests/tests.list
	else
		echo "SVMHV-NO-TESTS-LIST /selftests/tests.list missing"
	fi
	if wanted vmctl_test.sh; then
		run_prog vmctl_test.sh /tests/vmctl /tests/vmctl/vmctl_test.sh
	fi
	# Two boots of Linux as a guest, ~25 s each here; 150 s (or
	# svmhv.linux_timeout=, make check-debug) before one counts as hung.
	boot_limit=$(cmdline_arg svmhv.linux_timeout || echo 150)
	limit=$((2 * boot_limit + 60))
	if wanted linux_boot_test.sh; then
		run_prog linux_boot_test.sh /tests/vmctl \
			env LINUX_BOOT_TIMEOUT="$boot_limit" /tests/vmctl/linux_boot_test.sh
	fi
	limit=

	end_check
}

# Linux guests on the multi-core PC (in-kernel APICs, I/O APIC, ACPI) with
# 1, 2, 4 and 8 vCPUs; scripts/check.sh boots this with one emulated CPU and
# reads the same markers as for do_check.
do_smp() {
	log_vmcb_addresses
	heartbeat
	# shellcheck disable=SC2086 # one word per parameter
	insmod /svmhv/svmhv.ko dyndbg=+p $modparams
	echo "SVMHV-INSMOD rc=$?"
	print_load_addresses
	limit=800
	if wanted linux_smp_test.sh; then
		run_prog linux_smp_test.sh /tests/vmctl \
			env LINUX_BOOT_TIMEOUT=240 /tests/vmctl/linux_smp_test.sh
	fi
	limit=500
	if wanted linux_virtio_test.sh; then
		run_prog linux_virtio_test.sh /tests/vmctl \
			env LINUX_BOOT_TIMEOUT=240 /tests/vmctl/linux_virtio_test.sh
	fi
	limit=500
	if wanted linux_rootdisk_test.sh; then
		run_prog linux_rootdisk_test.sh /tests/vmctl \
			env LINUX_BOOT_TIMEOUT=240 /tests/vmctl/linux_rootdisk_test.sh
	fi
	limit=400
	if wanted linux_net_test.sh; then
		run_prog linux_net_test.sh /tests/vmctl \
			env LINUX_BOOT_TIMEOUT=300 /tests/vmctl/linux_net_test.sh
	fi
	limit=
	end_check
}


do_run() {
	if ! insmod /svmhv/svmhv.ko; then
		echo "svmhv run: insmod /svmhv/svmhv.ko failed; kernel log:"
		dmesg | tail -n 20
		return
	fi
	echo "svmhv run: svmhv.ko loaded on an emulated EPYC (QEMU TCG);" \
		"vmctl now runs /guests/hello.bin, whose serial output follows."
	vmctl start /guests/hello.bin
	echo "svmhv run: vmctl exit status $?"
	echo "svmhv run: now vmctl boots this very kernel as a guest" \
		"(/linux/bzImage) with 2 vCPUs on its multi-core PC (local" \
		"APICs, I/O APIC, ACPI); its console follows."
	vmctl start -k /linux/bzImage -i /linux/guest-initrd.cpio.gz -m 256M \
		-c 2 -p "console=ttyS0 panic=-1" </dev/null
	echo "svmhv run: vmctl exit status $?"
	rmmod svmhv
}

do_shell() {
	echo "svmhv shell: svmhv.ko in /svmhv, kvm modules in /kvm (load order" \
		"in /kvm/load-order), selftests in /selftests, guests in /guests."
	echo "svmhv shell: exit the shell to power off."
	setsid cttyhack sh -l
}

# Only one hypervisor owns SVM at a time.  Debian 6.1's kvm_amd sets
# EFER.SVME only while it has a VM, so its modules stay loaded throughout;
# svmhv takes SVM at insmod, so it is unloaded before each kvm run.  Each
# workload runs under svmhv and then kvm_amd back to back, so that noise
# from the machine QEMU runs on hits both alike.
# --stats: each hypervisor's exit counters per operation, in the log too.
# The step is named first and runs under a timeout, so that a guest that
# never finishes fails its own step, not the whole boot; SIGTERM makes
# svmbench print the state of its vCPUs (on stderr: the console).
bench_one() {	# bench_one BACKEND ROUND WORKLOAD
	echo "SVMHV-BENCH-STEP $1 round $2 $3"
	timeout -k 5 120 svmbench run --backend "$1" --round "$2" --only "$3" \
		--stats $extra >>"$raw" ||
		echo "SVMHV-BENCH-FAIL $1 round $2 $3"
}

# The boot benchmark: the emulated host's own kernel and the Linux test
# guest's initramfs (guest.mode=boot: power off right after /init's
# LINUX-GUEST-INIT line), 512 MiB and CPUS vCPUs, under each VMM.  The same
# command line for both: the console on COM1, and `quiet`, so that the
# console (one exit per byte on both) does not dominate the time; vmctl
# adds tsc_early_khz= itself.  QEMU gets its default PC (-M pc: i440FX,
# PIIX3, SeaBIOS, in-kernel PIC/I/O APIC/PIT) minus the default devices
# (-nodefaults: no VGA, NIC, disks, monitor) plus COM1 on stdout, and the
# host CPU model (-cpu host) as vmctl gives the host's CPUID -- without
# KVM's signature (kvm=off), so that its guest, like vmctl's, finds no
# paravirtual interface (kvmclock, PV EOI, IPIs, TLB flushes, spinlocks,
# steal time, async page faults).  With it, 2-vCPU boots in this emulated
# host stalled (one vCPU spinning in the PV qspinlock slow path or in
# stop_machine(), the other halted in KVM and never woken, as an earlier
# look at stalled ones found): 9 of 15 attempts with PV spinlocks, 6 of
# 13 without them (kvm-pv-unhalt=off); 0 of 3 with kvm=off so far.  The
# retries below stay as a safety net.
boot_args="console=ttyS0 quiet panic=-1"
#
# guest.mode=iobench (bench_io) adds a virtio-blk disk, the raw image
# /tmp/io.img, and a virtio-net NIC on tap0 to both: vmctl's --disk and
# --net, QEMU's virtio-blk-pci (its default: a queue per vCPU, writeback
# cache through the host's page cache as vmctl's pread/pwrite) and
# virtio-net-pci on the same tap without vhost (no vhost_net here, and
# vmctl has none) and without its boot ROM (no firmware for it here, and
# -kernel does not need one), and the initramfs with bench/guestio.
vmm() {	# vmm BACKEND CPUS MODE [CMD...]: run the VMM (under CMD...)
	vmm_be=$1 vmm_cpus=$2 vmm_mode=$3 vmm_initrd=/linux/guest-initrd.cpio.gz
	shift 3
	vmm_io=
	[ "$vmm_mode" = iobench ] && vmm_initrd=/linux/guest-initrd-io.cpio.gz vmm_io=1
	case $vmm_be in
	svmhv)
		"$@" vmctl start -k /linux/bzImage \
			-i "$vmm_initrd" -m 512M -c "$vmm_cpus" \
			${vmm_io:+--disk /tmp/io.img --net tap=tap0} \
			-p "$boot_args guest.mode=$vmm_mode" ;;
	kvm)
		"$@" qemu-system-x86_64 -accel kvm -cpu host,kvm=off \
			-M pc -m 512M \
			-smp "$vmm_cpus" -nodefaults -no-user-config -no-reboot \
			-display none -serial stdio -kernel /linux/bzImage \
			-initrd "$vmm_initrd" \
			${vmm_io:+-drive file=/tmp/io.img,if=none,id=vd0,format=raw \
			 -device virtio-blk-pci,drive=vd0 \
			 -netdev tap,id=n0,ifname=tap0,script=no,downscript=no \
			 -device virtio-net-pci,netdev=n0,romfile=} \
			-append "$boot_args guest.mode=$vmm_mode" ;;
	esac
}

# A boot that has not reached /init after svmhv.boot_timeout= seconds of
# the host's clock (default 30; a boot takes about 7) or svmhv.boot_wall=
# seconds of the build machine's (default 180, while a 2-vCPU boot costs
# 35-90 s of it, depending on what else the machine runs: a stalled guest
# spinning on PAUSE nearly stops the icount clock, 4 s in 250 s) is
# killed and tried again, up
# to three times, each on a SVMHV-BENCH-BOOT-STALL line; after three,
# SVMHV-BENCH-BOOT-GAVEUP and the round has no figure for that VMM.  A
# safety net for stalls like the PV spinlock one above, the same for both
# VMMs.
bench_boot() {	# bench_boot BACKEND ROUND CPUS
	for attempt in 1 2 3; do
		# vmmboot's clock starts before it creates the VMM's process
		# and stops when LINUX-GUEST-INIT comes through its stdout.
		res=$(vmm "$1" "$3" boot vmmboot -o /tmp/boot.out \
			-t "$boot_timeout" -w "$boot_wall" LINUX-GUEST-INIT \
			</dev/null 2>/tmp/boot.err)
		echo "SVMHV-BENCH-BOOT backend=$1 round=$2 cpus=$3 attempt=$attempt $res"
		case $res in
		*" status=0 "*)
			ns=${res#marker_ns=}
			echo "BENCH backend=$1 round=$2 workload=boot$3 ops=1 ns=${ns%% *} tsc=0" >>"$raw"
			return
			;;
		"marker_ns=-1 "*" status=137 killed="[tw]*)
			echo "SVMHV-BENCH-BOOT-STALL backend=$1 round=$2 workload=boot$3 attempt=$attempt ${res#* status=137 }"
			;;
		*)
			echo "SVMHV-BENCH-FAIL $1 round $2 boot$3: $res"
			tail -n 30 /tmp/boot.out /tmp/boot.err
			return
			;;
		esac
	done
	echo "SVMHV-BENCH-BOOT-GAVEUP backend=$1 round=$2 workload=boot$3"
	tail -n 30 /tmp/boot.out /tmp/boot.err
}

# The I/O benchmark: a 2-vCPU guest under each VMM (guest.mode=iobench,
# vmm above) times, with its own clock, sequential 1 MiB O_DIRECT writes
# and reads and random 4 KiB reads of its virtio disk and a TCP transfer
# to guestio's sink here, over the tap (bench/guestio).  Its GUESTIO lines
# become BENCH lines; LINUX-GUEST-IOFAIL or a missing figure is a
# SVMHV-BENCH-FAIL.  io_setup makes the image and the tap once.
io_setup() {
	[ -c /dev/net/tun ] || insmod /modules/tun.ko 2>/dev/null
	tunctl -t tap0 >/dev/null && ip addr add 10.0.2.1/24 dev tap0 &&
		ip link set tap0 up || echo "SVMHV-BENCH-FAIL io: no tap0"
	dd if=/dev/zero of=/tmp/io.img bs=1048576 count=160 2>/dev/null
}

# A guest that stalls (killed by vmmboot's -t or -w, twice bench_boot's
# wall-clock limit: a boot plus the transfers; the same limits for both VMMs; 2-vCPU QEMU+kvm_amd guests
# have stalled in this emulated host, one vCPU spinning with interrupts
# off while the host itself kept running) is tried again, up to three
# times, on SVMHV-BENCH-IO-STALL lines; SVMHV-BENCH-IO-GAVEUP after three.
bench_io() {	# bench_io BACKEND ROUND
	for attempt in 1 2 3; do
		guestio tcp-sink 5003 >/tmp/sink.out 2>&1 &
		sink=$!
		res=$(vmm "$1" 2 iobench vmmboot -o /tmp/io.out -t 120 \
			-w $((boot_wall * 2)) LINUX-GUEST-IODONE </dev/null 2>/tmp/io.err)
		echo "SVMHV-BENCH-IO backend=$1 round=$2 attempt=$attempt $res $(tr '\n' ' ' </tmp/sink.out)"
		kill "$sink" 2>/dev/null
		wait "$sink" 2>/dev/null
		case $res in
		"marker_ns=-1 "*" status=137 killed="[tw]*)
			echo "SVMHV-BENCH-IO-STALL backend=$1 round=$2 attempt=$attempt ${res#* status=137 }"
			continue ;;
		esac
		sed -n "s/\r//; s/^GUESTIO workload=\([a-z_]*\) ops=\([0-9]*\) ns=\([0-9]*\).*/BENCH backend=$1 round=$2 workload=\1 ops=\2 ns=\3 tsc=0/p" \
			/tmp/io.out >/tmp/io.bench
		if [ "$(wc -l </tmp/io.bench)" != 4 ] || grep -q LINUX-GUEST-IOFAIL /tmp/io.out; then
			echo "SVMHV-BENCH-FAIL $1 round $2 io: $res"
			grep -a 'GUESTIO\|IOFAIL' /tmp/io.out
			tail -n 20 /tmp/io.out /tmp/io.err
		fi
		cat /tmp/io.bench >>"$raw"
		return
	done
	echo "SVMHV-BENCH-IO-GAVEUP backend=$1 round=$2"
	tail -n 20 /tmp/io.out /tmp/io.err
}

# kvm_amd gives SVM back when its last VM is gone, which may be a moment
# after QEMU has exited: try a few times.
svmhv_load() {
	for try in 1 2 3 4 5; do
		insmod /svmhv/svmhv.ko 2>/dev/null && return 0
		sleep "$try"
	done
	insmod /svmhv/svmhv.ko
}

# The idle benchmark: a 2-vCPU guest under vmctl (guest.mode=idle: its
# /init prints LINUX-GUEST-IDLE 5 s after LINUX-GUEST-INIT, past the
# boot's deferred work, then sleeps), left alone for
# svmhv.idle_secs= (default 20) seconds of the host's clock, which the
# guest's TSC follows, timed by `vmctl stat --once` (its table goes to
# the log).  Read: svmhv's counters of the VM (debugfs, what `vmctl stat`
# sums) just before and after, and the tracepoints that say why
# each exit went to vmctl -- svmhv_userspace_exit's reason, and for I/O
# and MMIO the last IOIO exit (its port and direction) or MMIO nested
# page fault (its address) of the same vCPU before it.  Printed as one
# SVMHV-BENCH-IDLE line of counter deltas and one SVMHV-BENCH-IDLE-USER
# line per cause; bench/run-emulated.sh makes the rates.
bench_idle() {
	secs=$(cmdline_arg svmhv.idle_secs || echo 20)
	: >/tmp/idle.out
	# exec: $! is then vmctl itself.
	vmm svmhv 2 idle exec </dev/null >/tmp/idle.out 2>/tmp/idle.err &
	pid=$!
	i=0
	while ! grep -q LINUX-GUEST-IDLE /tmp/idle.out; do
		if ! kill -0 "$pid" 2>/dev/null || [ "$i" -ge 300 ]; then
			echo "SVMHV-BENCH-FAIL idle: the guest did not reach /init"
			kill -TERM "$pid" 2>/dev/null
			wait "$pid"
			tail -n 5 /tmp/idle.out /tmp/idle.err
			return
		fi
		sleep 1
		i=$((i + 1))
	done
	# What the guest says about its clock, on a SVMHV-BENCH-IDLE-GUEST line.
	sed -n 's/\r//; s/^LINUX-GUEST-IDLE /SVMHV-BENCH-IDLE-GUEST /p' /tmp/idle.out
	sleep 1
	vmdir=
	for d in /sys/kernel/debug/svmhv/"$pid"-*; do
		[ -d "$d" ] && vmdir=$d
	done
	if [ -z "$vmdir" ]; then
		echo "SVMHV-BENCH-FAIL idle: no debugfs directory for vmctl $pid"
		kill -TERM "$pid"
		wait "$pid"
		return
	fi

	tr=/sys/kernel/tracing/events/svmhv
	if [ -d "$tr" ]; then
		echo 0 >/sys/kernel/tracing/tracing_on
		: >/sys/kernel/tracing/trace
		echo 'exit_code == 0x7b' >"$tr/svmhv_exit/filter"	# IOIO
		echo 'outcome == 1' >"$tr/svmhv_npf/filter"		# MMIO
		for ev in svmhv_exit svmhv_npf svmhv_userspace_exit; do
			echo 1 >"$tr/$ev/enable"
		done
		echo 1 >/sys/kernel/tracing/tracing_on
	fi
	t0=$(cut -d' ' -f1 /proc/uptime)
	(cd "$vmdir" && grep . ./*) >/tmp/idle.before
	# The interval is `vmctl stat`'s own, its table in the log too (its
	# rates are whole numbers: the figures are the exact deltas below).
	vmctl stat --once --interval "$secs" >/tmp/idle.stat 2>&1 ||
		echo "SVMHV-BENCH-FAIL idle: vmctl stat"
	(cd "$vmdir" && grep . ./*) >/tmp/idle.after
	t1=$(cut -d' ' -f1 /proc/uptime)
	sed 's/^/SVMHV-BENCH-IDLE-STAT /' /tmp/idle.stat
	if [ -d "$tr" ]; then
		echo 0 >/sys/kernel/tracing/tracing_on
		for ev in svmhv_exit svmhv_npf svmhv_userspace_exit; do
			echo 0 >"$tr/$ev/enable"
			echo 0 >"$tr/$ev/filter"
		done
		cat /sys/kernel/tracing/trace >/tmp/idle.trace
		: >/sys/kernel/tracing/trace
	fi
	kill -TERM "$pid"
	wait "$pid"

	# "./exits:123" lines: the counters' deltas, event counters only.
	awk -F: -v secs="$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" '
		{ sub(/^\.\//, "", $1) }
		FNR == NR { before[$1] = $2; next }
		$1 ~ /exits$/ || $1 == "injected_events" {
			line = line " " $1 "=" ($2 - before[$1]) }
		END { print "SVMHV-BENCH-IDLE backend=svmhv cpus=2 secs=" secs line }
	' /tmp/idle.before /tmp/idle.after
	[ -s /tmp/idle.trace ] || return
	awk '
		function arg(name,	i) {
			for (i = 1; i < NF; i++)
				if ($i == name)
					return $(i + 1)
			return ""
		}
		/ svmhv_exit: / {
			info1 = arg("info1") + 0
			port = int(info1 / 65536) % 65536
			last[arg("vcpu")] = sprintf("io_%s_0x%x",
				info1 % 2 ? "in" : "out", port)
		}
		/ svmhv_npf: / { last[arg("vcpu")] = "mmio_" arg("gpa") }
		/ svmhv_userspace_exit: / {
			r = arg("exit_reason"); v = arg("vcpu")
			if ((r == 1 || r == 2) && last[v] != "")
				what = last[v]
			else if (r == 3) what = "hlt"
			else if (r == 9) what = "signal"
			else if (r == 10) what = "irq_window"
			else if (r == 11) what = "ioapic_eoi"
			else what = "reason_" r
			n[what]++
		}
		END { for (w in n)
			print "SVMHV-BENCH-IDLE-USER backend=svmhv what=" w " count=" n[w] }
	' /tmp/idle.trace | sort
}

do_bench() {
	rounds=$(cmdline_arg svmhv.rounds || echo 5)
	boot_timeout=$(cmdline_arg svmhv.boot_timeout || echo 30)
	boot_wall=$(cmdline_arg svmhv.boot_wall || echo 180)
	extra=
	[ "$(cmdline_arg svmhv.thp || echo 0)" = 1 ] && extra=--thp
	raw=/tmp/bench.raw
	: >"$raw"
	workloads=,$(cmdline_arg svmhv.workloads ||
		echo cpuid,out,hlt,ipi,timer,hltwake,touch,lifecycle,boot,io,idle),
	# svmbench's own, without the whole-VMM ones.
	micro=$(echo "$workloads" | tr , '\n' | grep -v -x -e '' -e boot -e io -e idle | tr '\n' ' ')
	while read -r ko; do
		insmod "/kvm/$ko" || echo "SVMHV-BENCH-FAIL insmod $ko"
	done </kvm/load-order
	echo "SVMHV-BENCH thp=$(cat /sys/kernel/mm/transparent_hugepage/enabled)"
	r=1
	[ -n "$micro" ] || r=$((rounds + 1))
	while [ "$r" -le "$rounds" ]; do
		for w in $micro; do
			if insmod /svmhv/svmhv.ko; then
				bench_one svmhv "$r" "$w"
				rmmod svmhv || echo "SVMHV-BENCH-FAIL rmmod svmhv"
			else
				echo "SVMHV-BENCH-FAIL insmod svmhv"
			fi
			bench_one kvm "$r" "$w"
		done
		echo "SVMHV-BENCH-ROUND $r done"
		r=$((r + 1))
	done
	r=1
	case $workloads in *,boot,*) ;; *) r=$((rounds + 1)) ;; esac
	while [ "$r" -le "$rounds" ]; do
		for cpus in 1 2; do
			if svmhv_load; then
				bench_boot svmhv "$r" "$cpus"
				rmmod svmhv || echo "SVMHV-BENCH-FAIL rmmod svmhv"
			else
				echo "SVMHV-BENCH-FAIL insmod svmhv"
			fi
			bench_boot kvm "$r" "$cpus"
		done
		echo "SVMHV-BENCH-BOOT-ROUND $r done"
		r=$((r + 1))
	done
	r=1
	case $workloads in *,io,*) io_setup ;; *) r=$((rounds + 1)) ;; esac
	while [ "$r" -le "$rounds" ]; do
		if svmhv_load; then
			bench_io svmhv "$r"
			rmmod svmhv || echo "SVMHV-BENCH-FAIL rmmod svmhv"
		else
			echo "SVMHV-BENCH-FAIL insmod svmhv"
		fi
		bench_io kvm "$r"
		echo "SVMHV-BENCH-IO-ROUND $r done"
		r=$((r + 1))
	done
	case $workloads in
	*,idle,*)
		if svmhv_load; then
			bench_idle
			rmmod svmhv || echo "SVMHV-BENCH-FAIL rmmod svmhv"
		else
			echo "SVMHV-BENCH-FAIL insmod svmhv"
		fi
		;;
	esac
	cat "$raw"
	if [ -n "$micro" ]; then
		icount=
		[ "$(cmdline_arg svmhv.icount || echo 0)" = 1 ] && icount=--icount
		grep -v -e ' workload=boot' -e ' workload=blk_' -e ' workload=net_' "$raw" >/tmp/bench-micro.raw
		svmbench report $icount --json /tmp/results.json /tmp/bench-micro.raw
		echo "SVMHV-BENCH-JSON-BEGIN"
		cat /tmp/results.json
		echo "SVMHV-BENCH-JSON-END"
	fi
	echo "SVMHV-DMESG-BEGIN"
	dmesg
	echo "SVMHV-DMESG-END"
	echo "SVMHV-BENCH-DONE"
}

# The host's life cycle with a guest loaded; scripts/hostlife.sh judges the
# SVMHV-HL lines and the kernel log on the console (this mode raises the
# console log level, so that WARNINGs reach it).
do_hostlife() {
	echo 8 >/proc/sys/kernel/printk
	insmod /svmhv/svmhv.ko
	echo "SVMHV-HL insmod rc=$?"

	# pm_test "core" runs the whole suspend path (freezer, devices,
	# non-boot CPUs offline, syscore_suspend), waits 5 s and resumes,
	# without the machine sleeping.
	if [ -w /sys/power/pm_test ] && grep -qw mem /sys/power/state; then
		echo core >/sys/power/pm_test
		# The write itself fails if any step of the cycle does.
		if echo mem >/sys/power/state; then rc=0; else rc=1; fi
		echo "SVMHV-HL suspend rc=$rc"
		echo none >/sys/power/pm_test
	else
		echo "SVMHV-HL suspend skipped: no pm_test or no mem state" \
			"($(cat /sys/power/state 2>/dev/null))"
	fi

	# A guest on each CPU: both must have SVM back after the resume.
	for cpu in 0 1; do
		out=$(taskset -c "$cpu" vmctl start /guests/hello.bin </dev/null 2>&1)
		rc=$?
		case $out in *"Hello from a guest"*) said=yes ;; *) said=no ;; esac
		echo "SVMHV-HL guest cpu=$cpu rc=$rc output=$said"
	done

	# The looping guest runs on CPU 1 while CPU 0 reboots: the reboot
	# notifier then turns SVM off under a vCPU between two VMRUNs.
	taskset -c 1 vmctl start /guests/loop.bin </dev/null >/tmp/loop.out &
	i=0
	while ! grep -q looping /tmp/loop.out && [ "$i" -lt 60 ]; do
		sleep 0.5
		i=$((i + 1))
	done
	if grep -q looping /tmp/loop.out; then
		echo "SVMHV-HL looping"
	else
		echo "SVMHV-HL looping never: $(cat /tmp/loop.out)"
	fi

	echo "SVMHV-HL rebooting"
	sleep 1
	taskset -c 0 reboot -f
	sleep 30
	echo "SVMHV-HL reboot returned"
}

case $mode in
check) do_check ;;
hostlife) do_hostlife ;;
smp)   do_smp ;;
run)   do_run ;;
shell) do_shell ;;
bench) do_bench ;;
*)     echo "svmhv init: unknown svmhv.mode=$mode (check, run, shell, bench, hostlife, smp)" ;;
esac
power_off
