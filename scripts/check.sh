#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check`: run vmctl's host unit tests, then for each test kernel build
# svmhv.ko, vmctl and the selftests, pack them into an initramfs, boot it
# on QEMU's emulated EPYC (scripts/run-vm.sh), and judge
# the serial log with scripts/check-summary.awk: TAP for every program,
# the sum of their "# Totals:" lines, and a failure for a program that
# crashed, timed out or printed no totals, for insmod/rmmod trouble, for a
# guest kernel log with an oops, BUG, WARNING, lockup or stall, and for a
# guest that never finished.  Logs: build/check.log (build/check-KVER.log
# per kernel when KERNELS names several).  The last line printed is
#   N passed, N failed, N skipped
# and the exit status is 1 if anything failed.
# Environment: KERNELS="V1 V2" (default: every complete kernel, from
# scripts/kver.sh --all: Debian's 6.1, 6.12 and 6.12 PREEMPT_RT as
# scripts/install-deps.sh installs them), V=1 to show the
# whole guest console while it runs, PROG_TIMEOUT (seconds per program,
# default 120), CHECK_ONLY="prog1 prog2" (run only these programs of
# selftests/ and tools/vmctl/tests/, e.g. "exits_test vmctl_test.sh"; the
# module-load tests and the kernel-log checks always run; "hostlife.sh"
# names the boot below), CHECK_LOG (the log of a one-kernel run;
# scripts/check-debug.sh), VM_TIMEOUT and the rest of scripts/run-vm.sh's
# variables.
# Each kernel gets a second boot with one emulated CPU: Linux guests with
# 1, 2, 4 and 8 vCPUs (tools/vmctl/tests/linux_smp_test.sh, "linux_smp_test.sh"
# in CHECK_ONLY), with a virtio-rng and disks (tools/vmctl/tests/linux_virtio_test.sh,
# "linux_virtio_test.sh"), booted from a root disk
# (tools/vmctl/tests/linux_rootdisk_test.sh) and with a virtio-net on a tap
# (tools/vmctl/tests/linux_net_test.sh, "linux_net_test.sh"); logs
# build/check-smp[-KVER].log.
# After the kernels, one more short boot of one of them (the default
# kernel if listed, else the first): scripts/hostlife.sh, suspend/resume
# and `reboot -f` with a guest running; its checks count in the totals.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build=$repo/build
"$repo/scripts/install-deps.sh"
kernels=${KERNELS:-$("$repo/scripts/kver.sh" --all | tr "\n" " ")}
read -r -a kernel_list <<<"$kernels"

passed=0 failed=0 skipped=0

# vmctl's host unit tests first: boot-protocol loaders (corrupt and
# truncated images included) and every device model's registers.
echo "== vmctl host unit tests"
if make -s -C "$repo/tools/vmctl" tests/unit &&
	unit_out=$("$repo/tools/vmctl/tests/unit"); then
	unit_rc=0
else
	unit_rc=$?
	unit_out=${unit_out:-}
fi
grep -E '^(not ok|#)' <<<"$unit_out" || true
up=$(grep -c '^ok ' <<<"$unit_out" || true)
uf=$(grep -c '^not ok ' <<<"$unit_out" || true)
echo "   vmctl unit tests: $up ok, $uf not ok"
if [ "$unit_rc" != 0 ] && [ "$uf" -eq 0 ]; then
	echo "# FAILED: vmctl host unit tests did not build or run (status $unit_rc)"
	uf=1
fi
passed=$((passed + up)) failed=$((failed + uf))

# boot_and_judge MODE LOG SMP: boot the emulated host in MODE with SMP
# CPUs, show progress, judge LOG with check-summary.awk; adds to the totals.
#
# The smp boot (Linux guests on a one-CPU emulated host) sometimes hangs
# the whole emulated machine: QEMU 7.2's TCG loses the host's interrupts
# (docs/testing.md, "Known problems").  scripts/run-vm.sh kicks it when the
# boot's heartbeat stops (printed here as NOTE lines); a boot silent for
# SMP_SILENCE seconds (300) anyway is reported with its dump and run again,
# up to four boots in all (the hang comes in bursts); a fourth hang counts
# as a failure.
boot_and_judge() {
	local mode=$1 log=$2 smp=$3 started vm vm_rc summary p f s only
	local attempt=1 silence=
	[ "$mode" = smp ] && silence=${SMP_SILENCE:-300}
	mkdir -p "$build"
	while :; do
		: >"$log"
		started=$SECONDS
		only=${CHECK_ONLY:-}
		VM_SMP=$smp VM_SILENCE=$silence \
		VM_APPEND="svmhv.timeout=${PROG_TIMEOUT:-120}${only:+ svmhv.only=${only// /,}} ${VM_APPEND:-}" \
			"$repo/scripts/run-vm.sh" "$mode" "$log" &
		vm=$!
		# Show progress while the guest runs (everything with V=1).
		if [ "${V:-0}" = 1 ]; then
			tail -F -n +1 --pid="$vm" "$log" 2>/dev/null || true
		else
			tail -F -n +1 --pid="$vm" "$log" 2>/dev/null |
				grep -a --line-buffered -o -e 'SVMHV-BOOT .*' -e 'SVMHV-PROG-END .*' \
					-e 'SVMHV-PROG-TIMEOUT .*' -e 'SVMHV-CHECK-DONE' |
				sed -u 's/\r//; s/^/  VM  /' || true
		fi
		vm_rc=0
		wait "$vm" || vm_rc=$?
		echo "== guest ran $((SECONDS - started)) s, run-vm.sh status $vm_rc, log $log"
		if [ -s "$log.stalls" ]; then
			echo "# NOTE [$kver]: the emulated CPU stopped taking interrupts" \
			     "in the $mode boot and was kicked (scripts/run-vm.sh):"
			sed 's/^/# stall: /' "$log.stalls"
		fi
		if { [ "$vm_rc" = 124 ] || [ "$vm_rc" = 125 ]; } && [ -s "$log.hang" ]; then
			grep -a 'SVMHV-ADDR' "$log" | sed 's/^/# /' || true
			grep -av '^YMM\|^FPR' "$log.hang" | sed 's/^/# hang: /'
		fi
		if [ "$vm_rc" = 125 ] && [ "$attempt" -lt 4 ]; then
			echo "# NOTE [$kver]: the emulated machine hung in the $mode boot" \
			     "(silent ${silence}s; dump above, log kept as $log.hung$attempt): again"
			mv "$log" "$log.hung$attempt"
			mv "$log.hang" "$log.hung$attempt.hang"
			attempt=$((attempt + 1))
			continue
		fi
		break
	done

	summary=$(awk -v kver="$kver" -f "$repo/scripts/check-summary.awk" "$log")
	grep -v '^SVMHV-SUMMARY ' <<<"$summary" || true
	read -r _ p f s < <(grep '^SVMHV-SUMMARY ' <<<"$summary")
	if [ "$vm_rc" != 0 ] && grep -q 'SVMHV-CHECK-DONE' "$log"; then
		echo "# FAILED [$kver]: guest finished but did not power off cleanly (run-vm.sh status $vm_rc)"
		f=$((f + 1))
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
}

wanted() {	# wanted PROG: is PROG part of this run (CHECK_ONLY)?
	[ -z "${CHECK_ONLY:-}" ] || [[ " $CHECK_ONLY " == *" $1 "* ]]
}

for kver in "${kernel_list[@]}"; do
	export KVER=$kver
	if [ -n "${CHECK_LOG:-}" ]; then
		log=$CHECK_LOG
		smp_log=${CHECK_LOG%.log}-smp.log
	elif [ ${#kernel_list[@]} -gt 1 ]; then
		log=$build/check-$kver.log
		smp_log=$build/check-smp-$kver.log
	else
		log=$build/check.log
		smp_log=$build/check-smp.log
	fi
	echo "== svmhv check on $kver"
	if ! make -C "$repo" --no-print-directory all STATIC=1; then
		echo "# FAILED [$kver]: build"
		failed=$((failed + 1))
		continue
	fi
	# The module once more, the way administrators install it (DKMS,
	# signed); module_load.sh loads it in the emulated machine.
	rm -f "$build/svmhv-dkms.ko"
	if ko=$("$repo/scripts/dkms-build.sh" "$kver"); then
		cp "$ko" "$build/svmhv-dkms.ko"
	else
		echo "# FAILED [$kver]: DKMS build (log: build/dkms/dkms-$kver.log)"
		failed=$((failed + 1))
	fi
	if ! "$repo/scripts/mkinitramfs.sh" check; then
		echo "# FAILED [$kver]: initramfs"
		failed=$((failed + 1))
		continue
	fi
	boot_and_judge check "$log" "${VM_SMP:-2}"

	# Linux guests with 1, 2, 4 and 8 vCPUs, and with virtio devices: a
	# second boot, with one emulated CPU (linux_smp_test.sh says why).
	if wanted linux_smp_test.sh || wanted linux_virtio_test.sh ||
		wanted linux_rootdisk_test.sh || wanted linux_net_test.sh; then
		echo "== svmhv SMP guests on $kver (one emulated CPU)"
		if "$repo/scripts/mkinitramfs.sh" smp; then
			boot_and_judge smp "$smp_log" 1
		else
			echo "# FAILED [$kver]: SMP initramfs"
			failed=$((failed + 1))
		fi
	fi
done

# The host's life cycle: one boot, ~30 s; it ends in a reboot, so it
# cannot share a boot with the suite.
if [ ${#kernel_list[@]} -gt 0 ] &&
	wanted hostlife.sh; then
	hl_kver=${kernel_list[0]}
	default_kver=$(KVER='' "$repo/scripts/kver.sh" 2>/dev/null || true)
	for kver in "${kernel_list[@]}"; do
		[ "$kver" = "$default_kver" ] && hl_kver=$kver
	done
	hl_out=$("$repo/scripts/hostlife.sh" "$hl_kver") || true
	grep -v -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' <<<"$hl_out" || true
	if read -r p _ f _ s _ < <(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' <<<"$hl_out"); then
		passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	else
		echo "# FAILED [$hl_kver]: scripts/hostlife.sh printed no totals"
		failed=$((failed + 1))
	fi
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
