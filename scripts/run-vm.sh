#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot Debian's kernel with build/initramfs-MODE.cpio.gz on QEMU's emulated
# EPYC (TCG: our machines have no usable SVM, but TCG emulates it, NPT
# included), with PKU as Zen 3 and later EPYCs have it, so that the tests
# see the protection-key state a guest can reach.  thread=single because two vCPUs running nested-paging guests
# at once under multi-threaded TCG corrupt them (shared/emulated-epyc.md).
# The kernel is the uncompressed vmlinux taken out of the bzImage (cached
# in build/; QEMU enters it through PVH, ~3 s faster than letting the
# bzImage decompress itself), or the bzImage if that fails or QEMU
# refuses the vmlinux.
#
# Usage: scripts/run-vm.sh MODE [LOG]
#   MODE   check, run, shell, bench or hostlife (passed as svmhv.mode=)
#   LOG    write the serial console to LOG instead of the terminal
# Environment: KVER, KERNEL_ROOT (boot/vmlinuz-KVER is taken from there
#   instead of /, as in kver.sh), VM_TIMEOUT (wall-clock seconds; default
#   720 for check, 300 for run, 180 for hostlife, 1500 for smp (the Linux
#   guest tests), 2700 for bench, none for shell), VM_APPEND (more kernel
#   arguments),
#   VM_MEM (2G), VM_SMP (2), VM_KERNEL=bzimage (skip vmlinux), QEMU_EXTRA.
# VM_SILENCE=N (with LOG): a console silent for N seconds counts as a
#   hang (status 125), dumped as a timeout is.
# With LOG, a timeout first writes every CPU's registers, code and stack to
#   LOG.hang (QEMU's monitor), and QEMU notes resets in LOG.qemu.
# With LOG, the guest may also beat a heartbeat on its second serial port
#   (LOG.beat; guest-init does in the smp boot, every 2 s).  When beats that
#   had started stop for VM_BEAT_STALL seconds (8), the emulated CPU is
#   assumed stuck with an interrupt QEMU lost (see kick_lost_interrupt) and
#   is kicked, up to ten times, each noted in LOG.stalls.
# Exit status: 0 the guest finished and powered off through the exit port;
#   124 wall-clock timeout; 3 the guest reset or powered off otherwise
#   (kernel panic, init died); anything else is QEMU's own failure.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build=$repo/build
mode=${1:?usage: run-vm.sh check|run|shell|bench|hostlife|smp [LOG]}
log=${2:-}
KVER=$("$repo/scripts/kver.sh")
initrd=$build/initramfs-$mode.cpio.gz
bzimage=${KERNEL_ROOT:-}/boot/vmlinuz-$KVER
vmlinux=$build/vmlinux-$KVER

case $mode in
check) timeout_s=${VM_TIMEOUT:-720} ;;
run)   timeout_s=${VM_TIMEOUT:-300} ;;
shell) timeout_s=${VM_TIMEOUT:-0} ;;
bench) timeout_s=${VM_TIMEOUT:-2700} ;;	# bench/run-emulated.sh
hostlife) timeout_s=${VM_TIMEOUT:-180} ;;	# scripts/hostlife.sh
smp)   timeout_s=${VM_TIMEOUT:-1500} ;;	# scripts/check.sh, one CPU
*) echo "run-vm.sh: unknown mode '$mode'" >&2; exit 2 ;;
esac
[ -r "$initrd" ] || { echo "run-vm.sh: $initrd missing (scripts/mkinitramfs.sh $mode)" >&2; exit 1; }
[ -r "$bzimage" ] || { echo "run-vm.sh: cannot read $bzimage (root only on Debian)" >&2; exit 1; }

# Extract vmlinux: the compressed payload starts at the first xz
# (FD 37 7A 58 5A 00) or zstd (28 B5 2F FD) magic; Debian's 6.1 uses xz, its
# 6.12 zstd.  The decompressors stop at the end of their stream and may
# complain about the bzImage bytes after it, so their status is not
# trusted: the result is kept only if it is an ELF with the PVH entry note
# (Xen note type 0x12) that QEMU needs.  A failure is remembered too.
extract_vmlinux() {
	local off tmp=$vmlinux.tmp
	rm -f "$tmp"
	off=$(LC_ALL=C grep -m1 -obUaP '\xFD7zXZ\x00' "$bzimage" | cut -d: -f1)
	if [ -n "$off" ]; then
		xz -dcq --single-stream <(tail -c +"$((off + 1))" "$bzimage") \
			>"$tmp" 2>/dev/null || true
	else
		off=$(LC_ALL=C grep -m1 -obUaP '\x28\xB5\x2F\xFD' "$bzimage" | cut -d: -f1)
		[ -n "$off" ] || return 1
		zstd -dcq <(tail -c +"$((off + 1))" "$bzimage") >"$tmp" 2>/dev/null || true
	fi
	if [ -s "$tmp" ] &&
	   readelf -n "$tmp" 2>/dev/null | grep '^ *Xen .*(0x00000012)' >/dev/null; then
		mv "$tmp" "$vmlinux"
		return 0
	fi
	rm -f "$tmp"
	return 1
}

kernel=$bzimage
if [ "${VM_KERNEL:-}" != bzimage ]; then
	mkdir -p "$build"
	if [ -s "$vmlinux" ] && [ "$vmlinux" -nt "$bzimage" ]; then
		kernel=$vmlinux
	elif [ -e "$vmlinux.none" ] && [ "$vmlinux.none" -nt "$bzimage" ]; then
		:	# tried before: this bzImage holds no usable vmlinux
	elif extract_vmlinux; then
		kernel=$vmlinux
	else
		touch "$vmlinux.none"
		echo "run-vm.sh: no PVH vmlinux in $bzimage, booting the bzImage" >&2
	fi
fi

append="console=ttyS0 panic=-1 printk.time=1 svmhv.mode=$mode"
[ "$mode" = shell ] || append="$append quiet"
append="$append ${VM_APPEND:-}"

# count_quiet FILE SIZE QUIET: once a second, for the variables named SIZE
# (FILE's size when last seen) and QUIET (seconds it has not grown since).
count_quiet() {
	local -n seen_size=$2 quiet_for=$3
	local now
	now=$(stat -c %s "$1" 2>/dev/null || echo 0)
	if [ "$now" = "$seen_size" ]; then
		quiet_for=$((quiet_for + 1))
	else
		quiet_for=0 seen_size=$now
	fi
}

boot() {	# boot KERNEL: run QEMU once, return its (mapped) status
	local -a qemu
	local pid rc=0 waited=0
	# shellcheck disable=SC2206 # QEMU_EXTRA is split into words on purpose
	qemu=(qemu-system-x86_64 -accel "tcg,thread=single" -cpu "EPYC,+pku"
	      -m "${VM_MEM:-2G}" -smp "${VM_SMP:-2}" -no-reboot
	      -nographic -vga none -nic none -kernel "$1" -initrd "$initrd" -append "$append"
	      -device "isa-debug-exit,iobase=0xf4,iosize=0x04" -name "svmhv,debug-threads=on"
	      ${QEMU_EXTRA:-})
	if [ -z "$log" ]; then
		# Interactive: the terminal is the console and the monitor.
		if [ "$timeout_s" != 0 ]; then
			timeout -k 10 --foreground "$timeout_s" "${qemu[@]}" \
				2> >(grep -v "$tcg_noise" >&2) || return $?
		else
			"${qemu[@]}" 2> >(grep -v "$tcg_noise" >&2) || return $?
		fi
		return 0
	fi
	# With a log, the monitor listens on two FIFOs (LOG.mon.in/.out) so
	# that a hung machine can be asked where its CPUs are before it is
	# killed, and QEMU writes each CPU's state at a reset (a triple fault)
	# to LOG.qemu.
	rm -f "$log.mon.in" "$log.mon.out" "$log.qemu"
	mkfifo "$log.mon.in" "$log.mon.out"
	rm -f "$log.beat" "$log.stalls"
	qemu+=(-monitor "pipe:$log.mon" -serial "file:$log" -serial "file:$log.beat"
	       -d cpu_reset -D "$log.qemu")
	"${qemu[@]}" </dev/null 2> >(grep -v "$tcg_noise" >&2) &
	pid=$!
	# shellcheck disable=SC2034 # log_size is count_quiet's, by name
	local log_size=-1 quiet=0 beat_size=0 beat_quiet=0 why='' kicks=0
	while kill -0 "$pid" 2>/dev/null; do
		count_quiet "$log" log_size quiet
		count_quiet "$log.beat" beat_size beat_quiet
		# Beats that had started (the file is empty until they do).
		if [ "$beat_size" != 0 ] && [ "$beat_quiet" -ge "${VM_BEAT_STALL:-8}" ] &&
		   [ "$kicks" -lt 10 ]; then
			kicks=$((kicks + 1)) beat_quiet=0
			kick_lost_interrupt >>"$log.stalls" 2>&1 || true
			echo "run-vm.sh: no heartbeat for ${VM_BEAT_STALL:-8} s: kicked the emulated CPU (kick $kicks, $log.stalls)" >&2
		fi
		why=
		if [ "$timeout_s" != 0 ] && [ "$waited" -ge "$timeout_s" ]; then
			why=timeout
		elif [ -n "${VM_SILENCE:-}" ] && [ "$quiet" -ge "$VM_SILENCE" ]; then
			why=silence
		fi
		if [ -n "$why" ]; then
			dump_hung_machine >"$log.hang" 2>&1 || true
			echo "run-vm.sh: the machine's state at the $why is in $log.hang" >&2
			kill "$pid" 2>/dev/null || true
			sleep 5
			kill -9 "$pid" 2>/dev/null || true
			wait "$pid" || true
			rm -f "$log.mon.in" "$log.mon.out"
			[ "$why" = silence ] && return 125
			return 124
		fi
		sleep 1
		waited=$((waited + 1))
	done
	wait "$pid" || rc=$?
	rm -f "$log.mon.in" "$log.mon.out"
	[ "$kicks" = 0 ] || echo "run-vm.sh: the emulated CPU was kicked $kicks time(s) after its heartbeat stopped ($log.stalls)" >&2
	return "$rc"
}

# dump_hung_machine: every CPU's registers, the code at its RIP and the top
# of its stack, from the QEMU monitor (to find where a hang sits: the
# console's SVMHV-ADDR line gives the kernel's and svmhv's load addresses);
# QEMU's own threads (running or asleep, and where); and the VMCBs and host
# save areas svmhv named on the console (SVMHV-VMCB lines, smp boots).
dump_hung_machine() {
	local cpu cmds="info registers -a"$'\n'"info lapic"$'\n'"info pic"$'\n'
	for cpu in $(seq 0 $((${VM_SMP:-2} - 1))); do
		cmds+="cpu $cpu"$'\n'"x/12i \$pc"$'\n'"x/32gx \$rsp"$'\n'
	done
	# A second look a little later: is the CPU moving at all?
	cmds+="info registers -a"$'\n'
	monitor "$cmds" 30
	echo "== QEMU's threads"
	qemu_threads
	vmcb_commands >"$log.vmcb-cmds"
	if [ -s "$log.vmcb-cmds" ]; then
		echo "== svmhv's VMCBs (control area, then RFLAGS and RIP at 0x570) and host save areas"
		monitor "$(cat "$log.vmcb-cmds")" 20
	fi
	rm -f "$log.vmcb-cmds"
	# Three more looks, 5 s apart: does the host still take interrupts (its
	# local APIC timer re-armed, IRR drained) while the guest looks stuck?
	for _ in 1 2 3; do
		sleep 5
		echo "== $(date +%T)"
		monitor "info registers"$'\n'"info lapic"$'\n' 10
		qemu_threads
	done
	if command -v gdb >/dev/null; then
		echo "== QEMU's threads in gdb"
		timeout 60 gdb -p "$pid" -batch -ex 'info threads' \
			-ex 'thread apply all bt 8' 2>&1 | grep -v '^\[New LWP' || true
	fi
}

# qemu_threads: each of QEMU's threads (named: -name debug-threads=on), its
# state (R running, S asleep), user and system time in clock ticks, and
# the kernel function it sleeps in.
qemu_threads() {
	local t
	for t in /proc/"$pid"/task/*; do
		printf '%-16s %s wchan=%s\n' "$(cat "$t/comm" 2>/dev/null)" \
			"$(sed 's/.*) //' "$t/stat" 2>/dev/null |
				awk '{ print "state=" $1, "utime=" $12, "stime=" $13 }')" \
			"$(cat "$t/wchan" 2>/dev/null)"
	done
}

# vmcb_commands: monitor commands that show, from guest-physical memory,
# each CPU's host save area and the VMCBs of the newest VM (the SVMHV-VMCB
# lines after the last "vcpu 0").
vmcb_commands() {
	tr -d '\r' <"$log" | awk '
		/SVMHV-VMCB .*CPU [0-9]+ hsave / { hsave[$(NF - 2)] = $NF }
		/SVMHV-VMCB .*vcpu 0 vmcb / { n = 0 }
		/SVMHV-VMCB .*vcpu [0-9]+ vmcb / { vmcb[n++] = $NF }
		END {
			for (c in hsave)
				printf "xp /2gx %s+0x570\n", hsave[c]
			for (i = 0; i < n; i++)
				printf "xp /48wx %s\nxp /2gx %s+0x570\n", vmcb[i], vmcb[i]
		}'
}

# kick_lost_interrupt: the emulated CPU stopped taking interrupts (no
# heartbeat).  Every such stall caught (docs/testing.md, "Known problems")
# had the host's local APIC timer expired with its vector pending in IRR,
# nothing in service, while QEMU went on running code with IF=1 or slept
# with the CPU halted, and QEMU's CPU had no interrupt request: QEMU 7.2's
# TCG had lost the one the APIC raised (svmhv's VMCB was right: INTR
# intercepted, V_INTR_MASKING, host IF=1 at VMRUN).  Do what the APIC does
# when it has something to deliver -- cpu_interrupt(CPU_INTERRUPT_POLL) --
# at once, before the host's soft-lockup watchdog (20 s) and RCU (21 s) see
# the stall; then note QEMU's view: the request before and after, the CPU
# and its APIC, QEMU's threads.  A stall the kick does not end is left to
# the watchdogs above, which end the boot as a hang.
#
# The kick is made through gdb (QEMU exports the symbols) while gdb holds
# every QEMU thread stopped, and takes no lock: cpu_interrupt() wants
# QEMU's big lock, and gdb's call runs on whichever thread it stopped --
# one that may hold the lock already (QEMU then aborts on its assertion)
# or wait for a thread holding it (a deadlock).  So gdb ORs the POLL bit
# into CPUState.interrupt_request itself -- no thread runs meanwhile, and
# QEMU's own updates of the field are single read-modify-write
# instructions -- and calls qemu_cpu_kick(), which only wakes the CPU
# thread (a condition variable broadcast, cpu_exit()).
kick_lost_interrupt() {
	local qemu_bin off
	local -a gdb_cmds
	echo "== $(date +%T) no heartbeat for ${VM_BEAT_STALL:-8} s"
	if command -v gdb >/dev/null; then
		qemu_bin=$(readlink "/proc/$pid/exe")
		# interrupt_request's offset in CPUState, from the code clearing it.
		off=$(gdb -batch -ex 'x/12i cpu_reset_interrupt' "$qemu_bin" 2>/dev/null |
			grep -o 'and  *%e[a-z]*,0x[0-9a-f]*(%r' | grep -o '0x[0-9a-f]*' | head -1)
		if [ -z "$off" ]; then
			echo "interrupt_request not found in cpu_reset_interrupt: not kicked"
		else
			# shellcheck disable=SC2016 # $cpu, $req are gdb's variables
			gdb_cmds=(-ex 'set $cpu = *(long *)&cpus'
				  -ex "set \$req = (int *)(\$cpu + $off)"
				  -ex 'printf "interrupt_request before: %#x\n", *$req'
				  -ex 'set var *$req = *$req | 0x10'
				  -ex 'call (void)qemu_cpu_kick($cpu)'
				  -ex 'printf "interrupt_request after: %#x\n", *$req')
			timeout 60 gdb -p "$pid" -batch "${gdb_cmds[@]}" 2>&1 |
				grep -e '^interrupt_request' -e rror || true
		fi
	else
		echo "no gdb: not kicked"
	fi
	monitor "info registers"$'\n'"info lapic"$'\n' 3 |
		grep -a -e '^RIP' -e '^IRR' -e '^ISR' -e '^Timer' -e '^APR' || true
	qemu_threads
}

# monitor COMMANDS SECONDS: send COMMANDS to QEMU's monitor, print what it
# answers within SECONDS.  QEMU holds both FIFOs open read-write: cat never
# sees an end, and is stopped once the answers have had time to arrive
# (slowly, on a loaded machine).  The monitor echoes each command with
# line-editing escapes: dropped.
monitor() {
	timeout "$2" cat "$log.mon.out" | sed 's/\x1b\[[0-9;]*[A-Za-z]//g' | grep -av '^(qemu)' &
	# Bounded too: once QEMU has died nothing holds the FIFO open, and
	# opening it for writing would wait for a reader forever.
	# shellcheck disable=SC2016 # $1, $2 are the inner shell's
	timeout "$2" bash -c 'printf "%s" "$1" >"$2"' monitor "$1" "$log.mon.in" || true
	wait $! || true
}
tcg_noise="warning: TCG doesn't support requested feature"

start=$SECONDS
rc=0
boot "$kernel" || rc=$?
if [ "$rc" = 1 ] && [ "$kernel" != "$bzimage" ] && [ $((SECONDS - start)) -lt 10 ]; then
	echo "run-vm.sh: QEMU refused $kernel, retrying with $bzimage" >&2
	rc=0
	boot "$bzimage" || rc=$?
fi

case $rc in
33)  exit 0 ;;			# guest wrote 0x10 to the exit port
0)   echo "run-vm.sh: guest reset or powered off without finishing" >&2
     if [ -n "$log" ] && grep -q "Triple fault" "$log.qemu" 2>/dev/null; then
	     echo "run-vm.sh: QEMU saw a triple fault (log: $log.qemu)" >&2
     fi
     exit 3 ;;
124|137) echo "run-vm.sh: timed out after ${timeout_s}s" >&2; exit 124 ;;
125) echo "run-vm.sh: the console was silent for ${VM_SILENCE}s: hung" >&2; exit 125 ;;
*)   echo "run-vm.sh: QEMU exited with status $rc" >&2; exit "$rc" ;;
esac
