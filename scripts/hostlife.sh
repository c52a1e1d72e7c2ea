#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check-hostlife`, and part of `make check`: the host's own life
# with svmhv loaded, in one short boot of the emulated EPYC
# (svmhv.mode=hostlife in scripts/guest-init.sh):
#   1. insmod svmhv;
#   2. a suspend/resume cycle with /sys/power/pm_test=core: non-boot CPUs
#      go offline and come back (cpuhp callbacks), the boot CPU goes
#      through syscore suspend/resume;
#   3. a guest on CPU 0 and one on CPU 1: SVM must work on both after
#      the resume;
#   4. a looping guest on CPU 1, then `reboot -f` on CPU 0: the reboot
#      notifier turns SVM off under a running vCPU, whose next CLGI or
#      VMRUN faults; svmhv must stop it without an oops.
# QEMU runs with -no-reboot, so the reboot ends it.  The console must show
# "reboot: Restarting system" and no oops, BUG, WARNING or lockup.
# Prints one "ok"/"not ok" line per check and last
#   N passed, N failed, N skipped
# Exit status 1 if a check failed.  Log: build/hostlife-KVER.log.
# Usage: scripts/hostlife.sh [KVER]  (default: scripts/kver.sh's kernel)
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build=$repo/build
if [ $# -gt 0 ]; then
	export KVER=$1
fi
KVER=$("$repo/scripts/kver.sh")
export KVER
log=$build/hostlife-$KVER.log

passed=0 failed=0 skipped=0
ok() { echo "ok - $*"; passed=$((passed + 1)); }
not_ok() { echo "not ok - $*"; failed=$((failed + 1)); }
skip() { echo "ok - $* # SKIP"; skipped=$((skipped + 1)); }
summary() {
	echo "$passed passed, $failed failed, $skipped skipped"
	[ "$failed" -eq 0 ]
	exit
}

echo "== svmhv host life cycle on $KVER (suspend/resume, reboot with a guest running)"
if ! make -C "$repo" --no-print-directory module vmctl STATIC=1 >"$build/hostlife-build.log" 2>&1 ||
   ! "$repo/scripts/mkinitramfs.sh" hostlife 2>>"$build/hostlife-build.log"; then
	tail -n 20 "$build/hostlife-build.log"
	not_ok "build (log: build/hostlife-build.log)"
	summary
fi

mkdir -p "$build"
: >"$log"
rc=0
VM_SMP=2 "$repo/scripts/run-vm.sh" hostlife "$log" || rc=$?
# Console lines, without carriage returns and terminal escapes.
con=$(sed 's/\r//g; s/\x1b\[[0-9;?]*[A-Za-z]//g' "$log")
marker() { grep -a -o "SVMHV-HL $1.*" <<<"$con" | head -n 1; }

if [ "$(marker 'insmod rc=')" = "SVMHV-HL insmod rc=0" ]; then
	ok "insmod svmhv"
else
	not_ok "insmod svmhv ($(marker 'insmod') )"
fi

line=$(marker 'suspend')
case $line in
"SVMHV-HL suspend rc=0") ok "suspend/resume cycle (pm_test=core)" ;;
"SVMHV-HL suspend skipped"*) skip "suspend/resume cycle: ${line#SVMHV-HL }" ;;
*) not_ok "suspend/resume cycle (pm_test=core): '${line:-no result}'" ;;
esac

for cpu in 0 1; do
	line=$(marker "guest cpu=$cpu ")
	if [ "$line" = "SVMHV-HL guest cpu=$cpu rc=0 output=yes" ]; then
		ok "a guest runs on CPU $cpu after the resume"
	else
		not_ok "a guest runs on CPU $cpu after the resume: '${line:-no result}'"
	fi
done

if [ "$(marker 'looping')" = "SVMHV-HL looping" ]; then
	ok "a looping guest runs on CPU 1"
else
	not_ok "a looping guest runs on CPU 1: '$(marker 'looping')'"
fi

if grep -a -q 'reboot: Restarting system' <<<"$con" && [ "$rc" = 3 ]; then
	ok "reboot -f with a guest running restarts the machine"
else
	not_ok "reboot -f with a guest running: no 'reboot: Restarting system' (run-vm.sh status $rc)"
fi
# The looping guest's vmctl (stderr on the console) sees its vCPU stopped:
# proof that the vCPU was still running when SVM went off.
if grep -a -q -E 'vmctl: SVMHV_RUN (of vCPU [0-9]+ )?failed: Input/output error' <<<"$con"; then
	ok "the running vCPU stops with EIO when the reboot turns SVM off"
else
	not_ok "the running vCPU did not report EIO before the restart"
fi

# As scripts/check-summary.awk; the SRSO line concerns QEMU's CPU model.
bad=$(grep -a -E 'Oops|BUG:|WARNING:|general protection|soft lockup|hung_task|Call Trace|detected stall|Kernel panic|invalid opcode' <<<"$con" |
	grep -v 'Speculative Return Stack Overflow: WARNING: See' || true)
if [ -z "$bad" ]; then
	ok "no oops, BUG, WARNING or lockup in the kernel log"
else
	not_ok "the kernel log shows an oops, BUG, WARNING or lockup:"
	head -n 30 <<<"$bad" | sed 's/^/# kernel: /'
fi
if [ "$failed" -gt 0 ]; then
	echo "# last console lines ($log):"
	tail -n 40 <<<"$con" | sed 's/^/#   /'
fi
summary
