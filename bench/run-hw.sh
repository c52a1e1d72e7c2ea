#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench-hw`: svmhv against the running kernel's own kvm_amd on a
# real AMD host -- no QEMU.  Same runner and workloads as `make bench`
# (bench/svmbench.c), with --hw: loop counts fifty times larger (a real
# exit takes about a microsecond, not fifty), and cycles per exit from the
# guest's own RDTSC next to the host's wall-clock rates.  Needs root, an
# AMD CPU with SVM, headers for the running kernel (here, unlike in the
# emulated harness, the running kernel is the one under test), and no
# other VM running: only one hypervisor may own SVM at a time, so
# kvm_amd is unloaded while svmhv runs and svmhv while kvm_amd runs (newer
# kernels turn SVM on when kvm_amd loads, not when it gets a VM).
#   bench/results-hw.json   the numbers (emulated: false)
# Environment: ROUNDS (default 5), CPU (the CPU to pin the runner to,
# default 2: away from CPU 0's housekeeping).
# Untested on hardware so far: the project's machines have no SVM.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
rounds=${ROUNDS:-5}
cpu=${CPU:-2}
kver=$(uname -r)
raw=$repo/build/bench-hw.raw

fail() { echo "bench-hw: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || fail "run as root (insmod, /dev/kvm)"
grep -q '^vendor_id.*AuthenticAMD' /proc/cpuinfo || fail "not an AMD CPU"
grep -qw svm /proc/cpuinfo || fail "no svm flag (SVM disabled in firmware, or running under a hypervisor without nested SVM)"
[ -d "/lib/modules/$kver/build" ] || fail "no headers for $kver (linux-headers-$kver)"
if grep -qw hypervisor /proc/cpuinfo; then
	echo "bench-hw: warning: this host is itself a guest (nested SVM): not bare-metal figures" >&2
fi
[ "$cpu" -lt "$(nproc)" ] || cpu=0

make -C "/lib/modules/$kver/build" M="$repo" modules
make -C "$repo/bench" --no-print-directory svmbench

kvm_unload() {
	if grep -q '^kvm_amd ' /proc/modules; then
		modprobe -r kvm_amd || fail "cannot unload kvm_amd (a VM is running?)"
	fi
}
svmhv_unload() {
	if grep -q '^svmhv ' /proc/modules; then
		rmmod svmhv || fail "cannot unload svmhv"
	fi
}
trap 'svmhv_unload; modprobe kvm_amd 2>/dev/null || true' EXIT

mkdir -p "$repo/build"
: >"$raw"
for r in $(seq 1 "$rounds"); do
	for w in cpuid out hlt ipi timer hltwake touch lifecycle; do
		kvm_unload
		insmod "$repo/module/svmhv.ko"
		taskset -c "$cpu" "$repo/bench/svmbench" run --hw --backend svmhv \
			--round "$r" --only "$w" >>"$raw"
		svmhv_unload
		modprobe kvm_amd
		taskset -c "$cpu" "$repo/bench/svmbench" run --hw --backend kvm \
			--round "$r" --only "$w" >>"$raw"
	done
	echo "  round $r done"
done
"$repo/bench/svmbench" report --hw --json "$repo/bench/results-hw.json" "$raw"
echo "== bench/results-hw.json (hardware figures, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-))"
