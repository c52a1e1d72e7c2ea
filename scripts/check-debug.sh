#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check-debug`: the whole of `make check` (scripts/check.sh: vmctl's
# unit tests, then module_load.sh, every selftest, vmctl_test.sh and the
# Linux boot test in the emulated EPYC), with a debug kernel as the
# emulated host: Debian's linux-source-6.1 built by scripts/debug-kernel.sh
# with KASAN, lockdep, DEBUG_ATOMIC_SLEEP, kmemleak, UBSAN, KFENCE, debug
# objects and list debugging (built once, cached in build/debug-kernel/).
# svmhv.ko, its DKMS build, kvm_amd and msr.ko are those of that kernel.
# Every report of those checkers in the kernel log, and every object
# kmemleak finds unreferenced once svmhv is unloaded, is a failure
# (scripts/check-summary.awk).  The Linux guest that vmctl boots is
# Debian's default kernel (scripts/kver.sh), not the debug kernel, which
# would take many minutes per boot as a guest under emulation.
# Log: build/check-debug.log; when the kernel reported anything, the same
# log with stack traces decoded to file:line (scripts/decode_stacktrace.sh)
# in build/check-debug-decoded.log.  Ends with "N passed, N failed, N
# skipped" like make check; exit status 1 if anything failed.
# Environment: PROG_TIMEOUT (per program, default 900 s), LINUX_BOOT_TIMEOUT
# (per guest boot, default 600 s), VM_TIMEOUT (the whole emulated run,
# default 5400 s), VM_MEM (3G), CHECK_ONLY, V=1 and the rest of check.sh's
# and run-vm.sh's variables; JOBS for the kernel build.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build=$repo/build
"$repo/scripts/install-deps.sh"

started=$SECONDS
echo "== debug kernel (scripts/debug-kernel.sh; the first build takes long)"
kver=$("$repo/scripts/debug-kernel.sh")
echo "== debug kernel $kver ready after $((SECONDS - started)) s"

# Debian's default kernel, from / (not the debug kernel's root), as guest.
guest=$(env -u KVER -u KERNEL_ROOT "$repo/scripts/kver.sh")
export LINUX_GUEST_BZIMAGE=${LINUX_GUEST_BZIMAGE:-/boot/vmlinuz-$guest}
echo "== Linux guest of the boot test: $LINUX_GUEST_BZIMAGE"

export KERNEL_ROOT=$build/debug-kernel/root
export KVER=$kver KERNELS=$kver
export KDIR=$KERNEL_ROOT/lib/modules/$kver/build
export CHECK_LOG=$build/check-debug.log
# KASAN, lockdep and friends under TCG: everything runs several times
# slower than on Debian's kernel.
export PROG_TIMEOUT=${PROG_TIMEOUT:-900}
export VM_TIMEOUT=${VM_TIMEOUT:-5400}
export VM_MEM=${VM_MEM:-3G}
# The bzImage: this kernel has no PVH entry (scripts/debug-kernel.config).
export VM_KERNEL=bzimage
# kasan_multi_shot: every KASAN report, not only the first.
export VM_APPEND="svmhv.linux_timeout=${LINUX_BOOT_TIMEOUT:-600} kasan_multi_shot ${VM_APPEND:-}"

rc=0
"$repo/scripts/check.sh" || rc=$?

# Reports name functions and offsets; decode them where the kernel said
# anything (the modules' debug information: the installed kvm and msr,
# and module/svmhv.ko, built against the same tree).
decoded=$build/check-debug-decoded.log
rm -f "$decoded"
if [ -f "$CHECK_LOG" ] &&
   awk -f "$repo/scripts/check-summary.awk" "$CHECK_LOG" | grep -q '^# kernel: '; then
	src=$build/debug-kernel/linux-source-6.1
	mods=$build/debug-kernel/decode-modules
	rm -rf "$mods"
	mkdir -p "$mods"
	ln -s "$repo/module/svmhv.ko" "$mods/"
	find "$KERNEL_ROOT/lib/modules/$kver" -name '*.ko' -exec ln -sf -t "$mods" {} +
	sed 's/\r$//' "$CHECK_LOG" |
		"$src/scripts/decode_stacktrace.sh" "$src/vmlinux" "$src" "$mods" \
		>"$decoded" 2>/dev/null || true
	echo "== kernel reports, stack traces decoded: ${decoded#"$repo"/}"
fi
echo "== make check-debug took $((SECONDS - started)) s"
exit "$rc"
