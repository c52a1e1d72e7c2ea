#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the exitprof boot (bench/exitprof/exitprof.sh), laid over the
# bench initramfs: load svmhv, print the kernel's and the module's text
# symbols, then for each workload of exitprof.w= run svmbench's loop
# under svmhv three times -- quick (warm-up), quick, full -- with a marker
# after each, so that (full - quick) / (N - 50) is what one exit costs,
# per instruction address.  Powers off through QEMU's exit port.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs tmpfs /tmp
insmod /svmhv/svmhv.ko || echo "EXITPROF-FAIL insmod"
echo EXITPROF-SYMS-BEGIN
grep -E ' [tT] ' /proc/kallsyms
echo EXITPROF-SYMS-END
read -r cmdline </proc/cmdline
workloads=
for word in $cmdline; do
	case $word in
	exitprof.w=*) workloads=$(echo "${word#*=}" | tr , ' ') ;;
	esac
done
for w in $workloads; do
	svmbench run --backend svmhv --only "$w" --quick || echo "EXITPROF-FAIL $w"
	mark
	svmbench run --backend svmhv --only "$w" --quick || echo "EXITPROF-FAIL $w"
	mark
	svmbench run --backend svmhv --only "$w" || echo "EXITPROF-FAIL $w"
	mark
done
echo EXITPROF-DONE
printf '\020' | dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
poweroff -f
