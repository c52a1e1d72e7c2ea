#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: svmhv against Debian's own kvm_amd in one boot of QEMU's
# emulated EPYC (one vCPU).  Builds svmhv.ko, vmctl, bench/svmbench,
# bench/vmmboot and bench/guestio, packs the bench initramfs
# (scripts/mkinitramfs.sh bench, Debian's QEMU included), boots it
# (scripts/run-vm.sh bench, with VM_SMP=1), and from the serial log takes:
#   bench/results.json   svmbench's exit-path numbers (between
#                        SVMHV-BENCH-JSON-BEGIN/END)
#   bench/results.png    bar chart of their svmhv/kvm_amd ratios (gnuplot)
#   bench/results-vmm.json  whole VMMs (bench/vmm-report.awk): Linux booted
#                        to its /init with 1 and 2 vCPUs by vmctl on svmhv
#                        and by QEMU on kvm_amd (boot1, boot2), virtio-blk
#                        and virtio-net throughput in their 2-vCPU guests
#                        (io: blk_seqwrite, blk_seqread, blk_randread,
#                        net_tcp_tx), and the exits of an idle 2-vCPU
#                        guest under vmctl (idle)
#   build/bench.log      the whole console, raw BENCH lines included
# and prints the tables.  The figures are emulated-CPU figures: they
# compare how many host instructions each path executes under TCG, not
# hardware latency (docs/performance.md).  Each results file is written
# only when its workloads ran.
#
# By default QEMU runs with -icount shift=0: the emulated clock then
# advances one nanosecond per instruction the emulated CPU executes, so
# the guest's CLOCK_MONOTONIC counts instructions and every round gives
# the same figure to 0.1%, whatever else the build machine is doing.
# BENCH_CLOCK=wall times with the real clock instead (what the emulated
# EPYC's exit paths cost in host time, world switches included), which
# on a shared two-core machine moved single ratios by 3x between rounds.
# Environment: BENCH_CLOCK (icount, wall), ROUNDS (default 3 with icount,
# 5 with wall; the boots are timed as many rounds), THP=1 (add first touch
# with the host's transparent huge pages), WORKLOADS (a comma-separated
# subset of svmbench's --only groups and of boot, io and idle, e.g.
# WORKLOADS=ipi,timer or WORKLOADS=boot,idle while working on one; default
# all), KVER, VM_TIMEOUT, and the rest of scripts/run-vm.sh's variables.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build=$repo/build
log=$build/bench.log
clock=${BENCH_CLOCK:-icount}
case $clock in
icount) rounds=${ROUNDS:-3}; qemu_clock="-icount shift=0"; report_flag=--icount; icount=1 ;;
wall)   rounds=${ROUNDS:-5}; qemu_clock=""; report_flag=; icount=0 ;;
*) echo "bench: BENCH_CLOCK=$clock: icount or wall" >&2; exit 2 ;;
esac
# BENCH_ONLY="cpuid out hlt" is another spelling of WORKLOADS=cpuid,out,hlt.
WORKLOADS=${WORKLOADS:-$(echo "${BENCH_ONLY:-}" | tr -s ' ' ,)}
all_workloads=cpuid,out,hlt,ipi,timer,hltwake,touch,lifecycle,boot,io,idle
WORKLOADS=${WORKLOADS:-$all_workloads}
# svmbench's own (the exit paths) and the whole-VMM ones.
micro=$(echo ",$WORKLOADS," | tr , '\n' | grep -v -x -e '' -e boot -e io -e idle | paste -sd, || true)
case ,$WORKLOADS, in *,boot,*|*,io,*|*,idle,*) vmm=1 ;; *) vmm=0 ;; esac

# gnuplot draws the chart; only the bench needs it, not `make check`.
# QEMU, with its firmware, also runs inside (the boot benchmark).
"$repo/scripts/install-deps.sh" gnuplot-nox qemu-system-x86 qemu-system-data seabios
make -C "$repo" --no-print-directory module
make -C "$repo" --no-print-directory vmctl "$build/linux-guest-initrd.cpio.gz"
make -C "$repo/bench" --no-print-directory svmbench vmmboot guestio
"$repo/scripts/mkinitramfs.sh" bench

mkdir -p "$build"
: >"$log"
started=$SECONDS
vm_rc=0
VM_SMP=1 VM_APPEND="svmhv.rounds=$rounds svmhv.thp=${THP:-0} svmhv.icount=$icount svmhv.workloads=$WORKLOADS ${VM_APPEND:-}" \
	QEMU_EXTRA="$qemu_clock ${QEMU_EXTRA:-}" \
	"$repo/scripts/run-vm.sh" bench "$log" &
vm=$!
tail -F -n +1 --pid="$vm" "$log" 2>/dev/null |
	grep -a --line-buffered -o -e 'SVMHV-BOOT .*' -e 'SVMHV-BENCH-ROUND .*' \
		-e 'SVMHV-BENCH-BOOT-ROUND .*' -e 'SVMHV-BENCH-BOOT-STALL .*' \
		-e 'SVMHV-BENCH-IO-ROUND .*' -e 'SVMHV-BENCH-IO-STALL .*' \
		-e 'SVMHV-BENCH-IDLE .*' -e 'SVMHV-BENCH-FAIL .*' -e 'SVMHV-BENCH-DONE' |
	sed -u 's/\r//; s/^/  VM  /' || true
wait "$vm" || vm_rc=$?
echo "== guest ran $((SECONDS - started)) s, run-vm.sh status $vm_rc, log $log"

fail() { echo "bench: $*" >&2; exit 1; }

tr -d '\r' <"$log" >"$log.tmp" && mv "$log.tmp" "$log"
grep -q 'SVMHV-BENCH-DONE' "$log" || fail "the guest did not finish (see $log)"
[ "$vm_rc" = 0 ] || fail "guest did not power off cleanly (status $vm_rc)"
if grep -a 'SVMHV-BENCH-FAIL' "$log"; then
	fail "a step failed in the guest (see $log)"
fi
# A kernel complaint during the run makes every number suspect.
# (Not the boot-time SRSO notice about the emulated CPU, as in check.)
if sed -n '/SVMHV-DMESG-BEGIN/,/SVMHV-DMESG-END/p' "$log" |
	grep -a -v 'Speculative Return Stack Overflow: WARNING: See' |
	grep -a -E 'Oops|BUG:|WARNING:|general protection|soft lockup|hung_task'; then
	fail "the guest kernel logged a problem (see $log)"
fi

# svmbench's exit paths: results.json, its table, the chart.
micro_report() {
	json=$repo/bench/results.json
	sed -n '/SVMHV-BENCH-JSON-BEGIN/,/SVMHV-BENCH-JSON-END/p' "$log" |
		sed '1d;$d' >"$json.tmp"
	[ -s "$json.tmp" ] || fail "no JSON between the markers in $log"
	mv "$json.tmp" "$json"

	# The table again, computed here from the same BENCH lines (svmbench's
	# own workloads: the boot lines are vmm-report.awk's).
	grep -a -o 'BENCH backend=.*' "$log" |
		grep -v -e ' workload=boot' -e ' workload=blk_' -e ' workload=net_' >"$build/bench.raw" || true
	"$repo/bench/svmbench" report $report_flag "$build/bench.raw"

	# Chart: one bar per workload, median ratio, min-max as error bars.
	tsv=$build/bench-ratios.tsv
	awk '
		/"name":/ { match($0, /"description": "[^"]*"/)
			    name = substr($0, RSTART + 16, RLENGTH - 17) }
		/"ratio": \{/ { s = $0; sub(/.*"ratio": \{/, "", s)
			    split(s, f, /[,:]/)
			    printf "\"%s\"\t%s\t%s\t%s\n", name, f[4], f[2], f[6] }
	' "$json" >"$tsv"
	[ -s "$tsv" ] || fail "no ratios in $json"
	gnuplot <<EOF
	set terminal pngcairo size 1000,560 font ",10" noenhanced
	set output "$repo/bench/results.png"
	set title "svmhv / kvm_amd (median of $rounds rounds, bars min-max, clock: $clock) -- EMULATED CPU (QEMU TCG EPYC), not hardware latency"
	set ylabel "ratio of rates, log scale (higher: svmhv faster)"
	set style fill solid 0.6 border -1
	set boxwidth 0.6
	# Log scale: lifecycle ratios are tens, the others near one.
	set logscale y
	set yrange [0.25:*]
	set grid ytics
	set xtics rotate by -20
	set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2 lc rgb "black"
	plot "$tsv" using 0:2:xtic(1) with boxes lc rgb "#4a7ebb" notitle, \
	     "" using 0:2:3:4 with yerrorbars lc rgb "black" pt 0 notitle, \
	     "" using 0:2:(sprintf("%.2f", \$2)) with labels offset 0,1 notitle
EOF
	echo "== bench/results.json, bench/results.png (emulated-CPU figures)"
}

[ -z "$micro" ] || micro_report

# The whole-VMM part: Linux boot times (boot1, boot2), virtio disk and
# network throughput (blk_*, net_*) and the idle guest's exits, a table and bench/results-vmm.json by bench/vmm-report.awk.
if [ "$vmm" = 1 ]; then
	vmm_raw=$build/bench-vmm.raw
	grep -a -o -e 'BENCH backend=[a-z]* round=[0-9]* workload=boot.*' \
		-e 'BENCH backend=[a-z]* round=[0-9]* workload=blk_.*' \
		-e 'BENCH backend=[a-z]* round=[0-9]* workload=net_.*' \
		-e 'SVMHV-BENCH-BOOT-STALL.*' -e 'SVMHV-BENCH-BOOT-GAVEUP.*' \
		-e 'SVMHV-BENCH-IO-STALL.*' -e 'SVMHV-BENCH-IO-GAVEUP.*' \
		-e 'SVMHV-BENCH-IDLE.*' "$log" >"$vmm_raw" || true
	[ -s "$vmm_raw" ] || fail "no boot, io or idle figures in $log"
	awk -v out=table -v icount="$icount" -f "$repo/bench/vmm-report.awk" "$vmm_raw"
	awk -v out=json -v clock="$clock" -v rounds="$rounds" \
		-f "$repo/bench/vmm-report.awk" "$vmm_raw" >"$build/results-vmm.json"
	mv "$build/results-vmm.json" "$repo/bench/results-vmm.json"
	if grep -a 'SVMHV-BENCH-BOOT-GAVEUP\|SVMHV-BENCH-IO-GAVEUP' "$log"; then
		echo "bench: warning: a guest stalled three times; its round has no figure" >&2
	fi
	echo "== bench/results-vmm.json (emulated-CPU figures)"
fi
