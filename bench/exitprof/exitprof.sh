#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Where the instructions of an exit go, function by function: boots the
# bench machine (QEMU's emulated EPYC, -icount shift=0, nokaslr) with a
# TCG plugin that counts executed instructions per address
# (insn_count.c), runs svmbench's cpuid/out/hlt loops under svmhv alone,
# and prints for each the emulated instructions one exit costs, per
# kernel or module function (report.py).  No kvm_amd runs: its figures
# come from `make bench`.
#
# Usage: bench/exitprof/exitprof.sh [KO [OUTDIR [WORKLOADS]]]
#   KO         the svmhv.ko to measure (default module/svmhv.ko, built)
#   OUTDIR     counts and console log (default build/exitprof)
#   WORKLOADS  comma-separated, of cpuid,out,hlt (default all three)
# Then, for one function's instructions with their counts:
#   bench/exitprof/report.py OUTDIR --annotate FUNCTION KO
# QEMU must load plugins (Debian's 7.2 does).  Takes about a minute.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
here=$repo/bench/exitprof
ko=${1:-}
od=${2:-$repo/build/exitprof}
wl=${3:-cpuid,out,hlt}

make -C "$repo" --no-print-directory module
make -C "$repo/bench" --no-print-directory svmbench
"$repo/scripts/mkinitramfs.sh" bench
[ -n "$ko" ] || ko=$repo/module/svmhv.ko
KVER=$("$repo/scripts/kver.sh")
kernel=$repo/build/vmlinux-$KVER
[ -r "$kernel" ] || kernel=/boot/vmlinuz-$KVER

mkdir -p "$od"
rm -rf "$od"/counts.* "$od/overlay"
mkdir -p "$od/overlay/usr/bin" "$od/overlay/svmhv"
gcc -O2 -Wall -Wextra -shared -fPIC -o "$od/insn_count.so" "$here/insn_count.c"
gcc -O2 -Wall -Wextra -static -o "$od/overlay/usr/bin/mark" "$here/mark.c"
install -m 0755 "$here/init.sh" "$od/overlay/init"
cp "$ko" "$od/overlay/svmhv/svmhv.ko"
cp "$ko" "$od/svmhv.ko"
# The kernel unpacks concatenated archives in order: ours lands on top.
{
	cat "$repo/build/initramfs-bench.cpio.gz"
	(cd "$od/overlay" && find . -mindepth 1 | LC_ALL=C sort |
		cpio --quiet -o -H newc -R 0:0 | gzip -1)
} >"$od/initrd.gz"

rc=0
nice timeout 900 qemu-system-x86_64 -accel tcg,thread=single -cpu EPYC,+pku \
	-m 2G -smp 1 -no-reboot -nographic -vga none -nic none \
	-kernel "$kernel" -initrd "$od/initrd.gz" \
	-append "console=ttyS0 panic=-1 quiet nokaslr exitprof.w=$wl" \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
	-monitor none -serial "file:$od/console.log" -icount shift=0 \
	-plugin "$od/insn_count.so,arg=out=$od/counts" \
	</dev/null 2>/dev/null || rc=$?
tr -d '\r' <"$od/console.log" >"$od/console.tmp" && mv "$od/console.tmp" "$od/console.log"
if ! grep -q EXITPROF-DONE "$od/console.log" ||
   grep -q EXITPROF-FAIL "$od/console.log"; then
	echo "exitprof: the guest did not finish cleanly (QEMU status $rc, see $od/console.log)" >&2
	exit 1
fi
"$here/report.py" "$od"
