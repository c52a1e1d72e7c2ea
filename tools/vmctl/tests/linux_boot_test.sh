#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# vmctl boots Debian's own kernel under svmhv: run inside the emulated
# machine with the svmhv module loaded (busybox sh: POSIX only).  The
# guest is the initramfs of mk-linux-guest-initrd.sh: its /init prints
# LINUX-GUEST-* lines (hypervisor flag in /proc/cpuinfo, a file in tmpfs,
# 5 s of guest time with the timer ticking) and powers off, which must end
# vmctl with status 0.  A second boot takes its shell commands from a
# pipe on vmctl's stdin.  TAP 13 on stdout, ending with a kselftest
# "# Totals:" line; exit 1 if any test failed.
#
# Environment:
#   VMCTL                 vmctl binary         (default /usr/bin/vmctl)
#   LINUX_GUEST_KERNEL    the guest kernel     (default /linux/bzImage)
#   LINUX_GUEST_INITRD    the guest initramfs  (default /linux/guest-initrd.cpio.gz)
#   LINUX_BOOT_TIMEOUT    seconds per boot before it counts as hung (300)
#   VMCTL_TEST_HOST_ONLY=1  only the tests that need no hypervisor
#
# Kernel arguments, and why: this test keeps the legacy uniprocessor PC
# working -- the kernel told to ignore the local APICs, I/O APIC and ACPI
# tables vmctl offers (linux_smp_test.sh boots without these):
#   console=ttyS0   the kernel log and /dev/console on vmctl's COM1
#   noapic nolapic  interrupts through the 8259 pair only (LINT0 stays in
#                   virtual-wire mode, so the 8259 reaches the CPU)
#   acpi=off        ignore vmctl's ACPI tables
#   pci=off         the PCI bus is empty; skip probing it
#   tsc=reliable    trust the TSC without a watchdog clocksource
#   initcall_blacklist=i8042_init
#                   vmctl's i8042 only implements the reset line; probing
#                   it for a keyboard costs 2.5 s of timeouts
#   panic=-1        a panic reboots at once (vmctl exits 0 then: the test
#                   looks for the guest's markers and for "Kernel panic")
# vmctl itself appends tsc_early_khz= with the TSC frequency svmhv reports.

VMCTL=${VMCTL:-/usr/bin/vmctl}
KERNEL=${LINUX_GUEST_KERNEL:-/linux/bzImage}
INITRD=${LINUX_GUEST_INITRD:-/linux/guest-initrd.cpio.gz}
TIMEOUT=${LINUX_BOOT_TIMEOUT:-300}
HOST_ONLY=${VMCTL_TEST_HOST_ONLY:-0}
ARGS="console=ttyS0 noapic nolapic acpi=off pci=off tsc=reliable initcall_blacklist=i8042_init panic=-1"

# shellcheck source=tools/vmctl/tests/linux_tap.sh
. "$(dirname "$0")/linux_tap.sh"
tap_begin linux_boot_test

# boot INPUT-FILE KERNEL-ARGS...: run vmctl with a watchdog; sets $st and
# $secs; stdout in $T/out, stderr in $T/err.
boot() {
	input=$1
	shift
	t0=$(uptime_s)
	"$VMCTL" start -k "$KERNEL" -i "$INITRD" -m 256M -p "$*" \
		<"$input" >"$T/out" 2>"$T/err" &
	pid=$!
	wait_vmctl "$pid"
}


# Kernel log lines that mean the guest kernel went wrong.  "WARNING: CPU:"
# is the WARN() banner; a bare "WARNING:" also appears in hw-vuln notes.
BAD='Kernel panic|Oops|BUG:|WARNING: CPU:|general protection|soft lockup|blocked for more than'

# ---- no hypervisor needed: a damaged kernel is refused up front -------
head -c 100000 "$KERNEL" >"$T/trunc" 2>/dev/null
"$VMCTL" start -k "$T/trunc" >"$T/out" 2>"$T/err" </dev/null
st=$?
expect truncated_kernel_is_refused_with_status_1 "$([ "$st" -eq 1 ] && grep -q truncated "$T/err"; echo $?)" \
	"status $st" "$(cat "$T/err")"
"$VMCTL" start -k "$KERNEL" -m 64M >"$T/out" 2>"$T/err" </dev/null
st=$?
expect kernel_larger_than_ram_is_refused "$([ "$st" -eq 1 ] && grep -q 'raise --mem' "$T/err"; echo $?)" \
	"status $st" "$(cat "$T/err")"

if [ "$HOST_ONLY" = 1 ]; then
	skipped linux_boots_to_init "VMCTL_TEST_HOST_ONLY=1"
elif [ ! -r "$KERNEL" ] || [ ! -r "$INITRD" ]; then
	not_ok linux_boots_to_init "missing $KERNEL or $INITRD (see mk-linux-guest-initrd.sh)"
else
	# ---- boot 1: the scripted checks, stdin at EOF -----------------
	boot /dev/null "$ARGS"
	echo "# boot 1: vmctl ran ${secs} s (wall clock), status $st"
	init_at=$(sed -n 's/^\[ *\([0-9.]*\)\] Run \/init as init process.*/\1/p' "$T/out")
	echo "# kernel reached /init at ${init_at:-?} s of guest time"
	expect vmctl_exits_0_when_linux_powers_off "$([ "$st" -eq 0 ]; echo $?)" "status $st" "$(tail_out)"
	expect kernel_log_on_stdout "$(has 'Linux version'; echo $?)" "$(tail_out)"
	expect command_line_reaches_kernel "$(has "Command line: $ARGS tsc_early_khz="; echo $?)" "$(grep 'Command line' "$T/out")"
	expect kernel_uses_8259_without_apic "$(has 'APIC: Keep in PIC mode(8259)'; echo $?)"
	expect serial_driver_finds_16550a "$(grep -q 'ttyS0 at I/O 0x3f8 (irq = 4.*16550A' "$T/out"; echo $?)"
	expect rtc_gives_the_date "$(grep -q "rtc_cmos.*setting system clock to $(date -u +%Y-%m-%d)" "$T/out"; echo $?)" \
		"$(grep rtc_cmos "$T/out")"
	expect init_runs "$(has 'LINUX-GUEST-INIT'; echo $?)" "$(tail_out)"
	expect cpuinfo_shows_hypervisor_flag "$(has 'LINUX-GUEST-CPUINFO ok'; echo $?)" "$(tail_out)"
	expect tmpfs_file_written_and_read "$(has 'LINUX-GUEST-TMPFS ok'; echo $?)" "$(tail_out)"
	expect uptime_advances_5s_with_timer_ticking "$(has 'LINUX-GUEST-UPTIME ok'; echo $?)" \
		"$(grep 'LINUX-GUEST-UPTIME' "$T/out")"
	expect guest_finishes "$(has 'LINUX-GUEST-DONE'; echo $?)" "$(tail_out)"
	expect no_kernel_errors "$(! grep -E "$BAD" "$T/out" >/dev/null; echo $?)" "$(grep -E "$BAD" "$T/out" | head -5)"
	# svmhv raises #GP for MSRs it does not emulate; Linux reads some
	# without a fault handler and logs each (AMD NB_CFG, 0xc001001f).
	expect no_unchecked_msr_access "$(! has 'unchecked MSR access'; echo $?)" \
		"$(grep 'unchecked MSR access' "$T/out")"
	expect stderr_lines_all_prefixed "$(! grep -v '^vmctl: ' "$T/err" >/dev/null; echo $?)" "$(cat "$T/err")"
	expect power_off_reported_on_stderr "$(grep -q 'powered off' "$T/err"; echo $?)" "$(cat "$T/err")"

	# ---- boot 2: a shell fed from a pipe ---------------------------
	# The newlines absorb what Linux's 8250 start-up discards (the
	# receive FIFO is cleared when /dev/console is opened).
	{
		i=0
		while [ $i -lt 40 ]; do echo; i=$((i + 1)); done
		echo 'echo "SHELL-SAYS-$((6 * 7))"'
		echo 'poweroff -f'
	} >"$T/in"
	boot "$T/in" "$ARGS guest.mode=shell"
	echo "# boot 2: vmctl ran ${secs} s (wall clock), status $st"
	expect shell_runs_commands_from_stdin_stream "$(has 'SHELL-SAYS-42'; echo $?)" "$(tail_out)"
	expect shell_poweroff_exits_0 "$([ "$st" -eq 0 ]; echo $?)" "status $st" "$(tail_out)"
fi

tap_end
