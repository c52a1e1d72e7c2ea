#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# vmctl boots Debian's own kernel on the multi-core PC -- svmhv's in-kernel
# local APICs, vmctl's I/O APIC and ACPI tables -- with 1, 2, 4 and 8 vCPUs
# and the default command line (no noapic/nolapic/acpi=off workaround).
# Run inside the emulated machine with svmhv loaded (busybox sh: POSIX
# only), in an emulated host with ONE CPU: with two, the host kernel marks
# its TSC unstable (AMD, no invariant-TSC bit), svmhv then does not offer
# an invariant TSC, and the guest's clocksource cannot be the TSC.
#
# The guest's /init (mk-linux-guest-initrd.sh, guest.mode=smp) checks its
# CPU count, the topology CPUID gives it (one package, APIC ID = CPU
# number, as vmctl's MADT), the TSC clocksource, local-timer ticks on every CPU, CPU 1
# offline and online again, function-call IPIs and a clean kernel log, and
# powers off through ACPI S5, which must end vmctl with status 0; a last
# 2-vCPU boot reboots instead, through the ACPI reset register, with
# --cpu-features=-avx512f (which the emulated EPYC does not have: vmctl
# still gets and sets both vCPUs' CPUID tables for it), and 6 GiB of RAM,
# 3 of them above the PCI hole at 4 GiB, which the guest checks it uses
# (guest.highmem=1).  TAP 13
# on stdout, ending in a kselftest "# Totals:" line; exit 1 on failure.
#
# Environment:
#   VMCTL, LINUX_GUEST_KERNEL, LINUX_GUEST_INITRD   as linux_boot_test.sh
#   LINUX_BOOT_TIMEOUT   seconds per boot before it counts as hung (300)
#   SMP_CPUS             vCPU counts to boot (default "1 2 4 8")

VMCTL=${VMCTL:-/usr/bin/vmctl}
KERNEL=${LINUX_GUEST_KERNEL:-/linux/bzImage}
INITRD=${LINUX_GUEST_INITRD:-/linux/guest-initrd.cpio.gz}
TIMEOUT=${LINUX_BOOT_TIMEOUT:-300}
CPU_COUNTS=${SMP_CPUS:-1 2 4 8}

# shellcheck source=tools/vmctl/tests/linux_tap.sh
. "$(dirname "$0")/linux_tap.sh"
tap_begin linux_smp_test


if ! "$VMCTL" --help 2>/dev/null | grep -q -- '--cpus'; then
	skipped linux_smp_boots "this vmctl has no --cpus"
elif [ ! -r "$KERNEL" ] || [ ! -r "$INITRD" ]; then
	skipped linux_smp_boots "no guest kernel/initramfs at $KERNEL, $INITRD"
else
	# The guest checks for AVX2 where the host has it.
	avx2=0
	grep -q '^flags.* avx2' /proc/cpuinfo && avx2=1
	for cpus in $CPU_COUNTS; do
		t0=$(uptime_s)
		"$VMCTL" start -k "$KERNEL" -i "$INITRD" -m 512M -c "$cpus" \
			-p "console=ttyS0 panic=-1 guest.mode=smp guest.cpus=$cpus guest.avx2=$avx2" \
			</dev/null >"$T/out" 2>"$T/err" &
		pid=$!
		wait_vmctl "$pid"
		echo "# $cpus vCPU(s): vmctl ran $secs s (wall clock), status $st"
		c=cpus$cpus
		expect "${c}_vmctl_exits_0_after_acpi_poweroff" \
			"$([ "$st" -eq 0 ] && grep -q 'powered off (ACPI S5)' "$T/err"; echo $?)" \
			"status $st" "$(tail_out)"
		expect "${c}_acpi_madt_gives_the_cpus" \
			"$(has 'ACPI: Using ACPI (MADT) for SMP configuration'; echo $?)" "$(tail_out)"
		expect "${c}_all_cpus_brought_up" \
			"$(tr -d '\r' <"$T/out" | grep -qE "smp: Brought up 1 node, $cpus CPUs?\$"; echo $?)" \
			"$(grep 'smp:' "$T/out")"
		for check in CPUS CPUINFO_TOPOLOGY CLOCKSOURCE_TSC LOCAL_TIMER_TICKS_ON_EVERY_CPU \
			     CPUINFO_X2APIC XSAVE_AVX DMESG_CLEAN; do
			expect "${c}_$(echo "$check" | tr '[:upper:]' '[:lower:]')" \
				"$(has "LINUX-SMP-$check ok"; echo $?)" \
				"$(grep "LINUX-SMP-$check" "$T/out" || tail_out)"
		done
		if [ "$cpus" -gt 1 ]; then
			for check in CPU1_OFFLINE_AND_ONLINE TICKS_AFTER_ONLINE \
				     FUNCTION_CALL_IPIS; do
				expect "${c}_$(echo "$check" | tr '[:upper:]' '[:lower:]')" \
					"$(has "LINUX-SMP-$check ok"; echo $?)" \
					"$(grep "LINUX-SMP-$check" "$T/out" || tail_out)"
			done
		fi
		expect "${c}_guest_finishes" "$(has 'LINUX-SMP-DONE'; echo $?)" "$(tail_out)"
	done

	# reboot inside a 2-vCPU guest: Linux resets through the FADT's
	# RESET_REG (port 0xcf9, value 6), which ends vmctl with status 0.
	# --cpu-features passes through the CPUID tables of both vCPUs.
	"$VMCTL" start -k "$KERNEL" -i "$INITRD" -m 6G -c 2 --cpu-features=-avx512f \
		-p "console=ttyS0 panic=-1 guest.mode=smp guest.cpus=2 guest.end=reboot guest.highmem=1" \
		</dev/null >"$T/out" 2>"$T/err" &
	pid=$!
	wait_vmctl "$pid"
	expect ram_above_4gib_is_usable_in_a_6gib_guest \
		"$(has 'LINUX-SMP-HIGHMEM ok'; echo $?)" \
		"$(grep 'LINUX-SMP-HIGHMEM' "$T/out" || tail_out)"
	expect reboot_in_guest_exits_0_through_the_reset_register \
		"$([ "$st" -eq 0 ] && has 'LINUX-SMP-DONE' && grep -q 'guest rebooted (reset control register 0xcf9)' "$T/err"; echo $?)" \
		"status $st" "$(tail_out)"
fi

tap_end
