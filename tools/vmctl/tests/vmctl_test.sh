#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# vmctl end-to-end tests, run inside the emulated machine with the svmhv
# module loaded (busybox sh: POSIX only).  Pins issue 8: byte-exact stdout,
# every exit status, "vmctl: " on every stderr line, SIGINT/SIGTERM/SIGKILL
# on a looping guest, and the host-side errors.  TAP 13 on stdout, ending
# with a kselftest "# Totals:" line; exit 1 if any test failed.
#
# Environment:
#   VMCTL      vmctl binary            (default /usr/bin/vmctl)
#   GUESTS     directory of images     (default $SVMHV_GUESTS, else /guests)
#   VMCTL_TEST_HOST_ONLY=1  run only the tests that need no hypervisor
#   VMCTL_TEST_TIMEOUT      seconds before a guest run counts as hung (20)
#
# Guest images and how each is run (sources in tools/vmctl/guests/*.S):
#   image          arguments                                  status  stdout
#   hello.bin      --mode long                                0   "Hello from a guest under svmhv!\n"
#   hello_elf.bin  (an ELF file: PT_LOAD placement, e_entry)  0   same as hello.bin
#   mode_real.bin  --mode real                                0   "real mode ok\n"
#   mode_prot.bin  --mode protected --mem 16M                 0   "protected mode ok\n"
#   mode_long.bin  --mode long --mem 16M                      0   "long mode ok\n"
#   exit42.bin     --mode long                                42  "exiting with 42\n"
#   hlt_cli.bin    --mode long                                80  ""
#   hlt_sti.bin    --mode long                                81  ""
#   triple.bin     --mode long                                82  ""
#   mmio.bin       --mode long --mem 16M                      83  ""  (stderr names 0xfffff000)
#   ports.bin      --mode long                                0   "ports ok\n"
#   ports.bin      --mode long --strict-io                    84  ""  (stderr names port 0x80)
#   strict_in.bin  --mode long --strict-io                    84  ""  (stderr names port 0x60)
#   rep_outsb.bin  --mode long                                0   50 lines "0123...KLM\n"
#   entry_at.bin   --mode long --load 0x200000 --entry 0x200010  0  "entry ok\n"
#   hypercall.bin  --mode long                                0   "hello through a hypercall\n"
#   loop.bin       --mode long, then a signal                 130/143/137  "looping\n"
#   cpuid_avx2.bin --mode long                                10  "avx2 shown\n" (host with avx2)
#   cpuid_avx2.bin --mode long --cpu-features=-avx2           11  "avx2 hidden\n"
# The mode_* guests exit with a small nonzero number naming the first check
# of the documented starting state that failed (see the .S file).

VMCTL=${VMCTL:-/usr/bin/vmctl}
G=${GUESTS:-${SVMHV_GUESTS:-/guests}}
TIMEOUT=${VMCTL_TEST_TIMEOUT:-20}
HOST_ONLY=${VMCTL_TEST_HOST_ONLY:-0}

# shellcheck source=tools/vmctl/tests/linux_tap.sh
. "$(dirname "$0")/linux_tap.sh"
tap_begin vmctl_test
if sleep 0.1 2>/dev/null; then TICK=0.1; TICKS_PER_S=10; else TICK=1; TICKS_PER_S=1; fi

# run CMD...: run with a watchdog; sets $st, stdout in $T/out, stderr in $T/err.
run() {
	"$@" >"$T/out" 2>"$T/err" &
	pid=$!
	( sleep "$TIMEOUT"; kill -KILL $pid ) >/dev/null 2>&1 &
	wd=$!
	wait $pid
	st=$?
	kill $wd 2>/dev/null
	wait $wd 2>/dev/null
}

# check NAME STATUS EXPECTED_STDOUT_FILE STDERR: compare the last run.
# STDERR is EMPTY (nothing allowed), ANY, or a string stderr must contain.
check() {
	why=""
	if [ "$st" != "$2" ]; then
		why="exit status $st, expected $2"
		[ "$st" = 137 ] && why="$why (killed: hung for ${TIMEOUT}s?)"
	elif ! cmp -s "$T/out" "$3"; then
		why="stdout is not byte-exact: got '$(head -c 200 "$T/out")'"
	elif [ "$4" = EMPTY ] && [ -s "$T/err" ]; then
		why="stderr should be empty"
	elif [ "$4" != EMPTY ] && [ "$4" != ANY ] && ! grep -qF -- "$4" "$T/err"; then
		why="stderr lacks '$4'"
	elif grep -v '^vmctl: ' "$T/err" | grep -q .; then
		why="stderr has a line without the 'vmctl: ' prefix"
	fi
	if [ -z "$why" ]; then
		ok "$1"
	else
		not_ok "$1" "$why" "stderr: $(head -c 400 "$T/err")"
	fi
}

: >"$T/empty"

# case_ NAME STATUS STDOUT_PRINTF_FORMAT STDERR ARGS...: one vmctl run;
# ARGS are vmctl's arguments, or a whole "env VAR=... $VMCTL ..." command.
case_() {
	name=$1 status=$2 fmt=$3 err=$4
	shift 4
	# shellcheck disable=SC2059
	printf "$fmt" >"$T/expected"
	if [ "$1" = env ]; then run "$@"; else run "$VMCTL" "$@"; fi
	check "$name" "$status" "$T/expected" "$err"
}

# ---- no hypervisor needed -------------------------------------------------

run "$VMCTL" --help
if [ "$st" = 0 ] && [ ! -s "$T/err" ]; then
	missing=""
	for word in --mem --cpus --cpu-features --mode --load --entry --device --strict-io --verbose \
		    --help --version "default 64M" "default long" "default 0x1000" \
		    " 1 " " 2 " " 80 " " 81 " " 82 " " 83 " " 84 " " 85 " " 86 " \
		    " 87 " " 88 " "128+N"; do
		grep -qF -- "$word" "$T/out" || missing="$missing '$word'"
	done
	if [ -z "$missing" ]; then ok help_lists_options_defaults_and_statuses
	else not_ok help_lists_options_defaults_and_statuses "missing:$missing"; fi
else
	not_ok help_lists_options_defaults_and_statuses "status $st"
fi

run "$VMCTL" --version
if [ "$st" = 0 ] && grep -q '^vmctl [0-9]' "$T/out"; then ok version_prints_version
else not_ok version_prints_version "status $st: $(cat "$T/out")"; fi

#     test name                           status stdout stderr                  arguments
case_ usage_no_command                    2 "" "vmctl: missing command"
case_ usage_unknown_command               2 "" "unknown command 'frob'"          frob
case_ usage_missing_image                 2 "" "missing IMAGE"                   start
case_ usage_extra_argument                2 "" "unexpected argument"             start "$G/hello.bin" extra
case_ usage_unknown_long_option           2 "" "unknown option '--bogus'"        start --bogus "$G/hello.bin"
case_ usage_unknown_short_option          2 "" "unknown option '-x'"             start -x "$G/hello.bin"
case_ usage_option_without_value          2 "" "needs a value"                   start --mem
case_ usage_mem_zero                      2 "" "must not be zero"                start --mem 0 "$G/hello.bin"
case_ usage_mem_unaligned                 2 "" "multiple of 4K"                  start --mem 1048577 "$G/hello.bin"
case_ usage_mem_garbage                   2 "" "invalid --mem '12Q'"             start --mem 12Q "$G/hello.bin"
case_ usage_mem_garbage_equals_form       2 "" "invalid --mem '64MB'"            start --mem=64MB "$G/hello.bin"
case_ usage_mem_overflow                  2 "" "overflows"                       start --mem 99999999999999999999 "$G/hello.bin"
case_ usage_mem_suffix_overflow           2 "" "overflows"                       start -m 99999999999G "$G/hello.bin"
case_ usage_mem_too_small                 2 "" "at least 1M"                     start --mem 64K "$G/hello.bin"
case_ usage_mode_unknown                  2 "" "invalid --mode 'virtual86'"      start --mode virtual86 "$G/hello.bin"
case_ usage_load_garbage                  2 "" "invalid --load '0xZZ'"           start --load 0xZZ "$G/hello.bin"
case_ usage_entry_negative                2 "" "invalid --entry '-1'"            start --entry -1 "$G/hello.bin"
case_ usage_real_entry_above_64k          2 "" "real mode"                       start --mode real --entry 0x10000 "$G/hello.bin"
case_ usage_load_with_elf                 2 "" "--load does not apply"           start --load 0x2000 "$G/hello_elf.bin"
case_ usage_cpus_zero                     2 "" "invalid --cpus '0'"              start -k /nonexistent/bzImage --cpus 0
case_ usage_cpus_too_many                 2 "" "at most 64 vCPUs"                start -k /nonexistent/bzImage -c 65
case_ usage_cpus_garbage                  2 "" "invalid --cpus 'four'"           start -k /nonexistent/bzImage --cpus=four
case_ usage_cpus_without_kernel           2 "" "--cpus needs --kernel"           start --cpus 2 "$G/hello.bin"
case_ usage_cpu_features_unknown_name     2 "" "unknown CPU feature 'avx3'"      start --cpu-features=-avx2,-avx3 "$G/hello.bin"
case_ usage_cpu_features_empty_item       2 "" "empty item"                      start --cpu-features=-avx2,,-fma "$G/hello.bin"
case_ usage_cpu_features_empty_list       2 "" "empty list"                      start --cpu-features= "$G/hello.bin"
case_ usage_cpu_features_without_sign     2 "" "'avx2' needs a sign"             start --cpu-features avx2 "$G/hello.bin"
case_ usage_cpu_features_keep_a_dependent 2 "" "'+avx2' contradicts '-avx'"      start --cpu-features=-avx,+avx2 "$G/hello.bin"
case_ usage_cpu_features_without_value    2 "" "needs a value"                   start "$G/hello.bin" --cpu-features

case_ image_missing                       1 "" "image '$T/nope.bin' does not exist" start "$T/nope.bin"
dd if=/dev/zero of="$T/big.bin" bs=1024 count=1025 2>/dev/null
case_ image_larger_than_ram               1 "" "larger than the guest's RAM"     start --mem 1M "$T/big.bin"
# 995K is below the 996K the guest owns in 1M (long mode), but not from 0x1000.
dd if=/dev/zero of="$T/fits.bin" bs=1024 count=995 2>/dev/null
case_ image_overlapping_vmctl_tables      1 "" "does not fit in guest RAM"       start --mem 1M "$T/fits.bin"
: >"$T/zero.bin"
case_ image_empty                         1 "" "image is empty"                  start "$T/zero.bin"

case_ device_missing_env                  1 "" "/nonexistent/svmhv does not exist: is the svmhv module loaded?" \
      env VMCTL_DEVICE=/nonexistent/svmhv "$VMCTL" start "$G/hello.bin"
case_ device_missing_option               1 "" "/nonexistent/svmhv does not exist: is the svmhv module loaded?" \
      start --device /nonexistent/svmhv "$G/hello.bin"
case_ device_option_beats_env             1 "" "/nonexistent/b does not exist" \
      env VMCTL_DEVICE=/nonexistent/a "$VMCTL" start -d /nonexistent/b "$G/hello.bin"
case_ device_not_svmhv                    1 "" "does not answer the svmhv API version request" \
      start --device /dev/null "$G/hello.bin"
# Options accepted in every spelling reach the device step (status 1, not 2).
case_ options_long_equals_and_short_forms 1 "" "does not exist" \
      start --mem=16M -M protected --load=0x2000 -e 0x2000 -s -v -d /nonexistent/svmhv "$G/hello.bin"
case_ options_after_image_accepted        1 "" "does not exist" \
      start "$G/hello.bin" --mem 16M --device /nonexistent/svmhv
case_ options_cpu_features_accepted       1 "" "does not exist" \
      start --cpu-features=-avx512f,-pni,+sse4_2 -d /nonexistent/svmhv -k /nonexistent/bzImage -c 2

# vmctl list / stat read svmhv's debugfs counters: a fake tree pins the
# format, the summing over VMs and the rate.
F=$T/fakedebugfs
mkdir -p "$F/100-1" "$F/200-2"
for f in exits io_exits vcpus pinned_pages mapped_pages guest_ns; do
	echo 3 >"$F/100-1/$f"
	echo 4 >"$F/200-2/$f"
done
echo 256 >"$F/100-1/mapped_pages"
VMCTL_DEBUGFS=$F run "$VMCTL" list
if [ "$st" = 0 ] && grep -q '^100 *1 *3 *1\.0M *3$' "$T/out" &&
   grep -q '^200 *2 *4 ' "$T/out"; then ok list_shows_each_vm_from_debugfs
else not_ok list_shows_each_vm_from_debugfs "status $st, stdout: $(cat "$T/out")"; fi
(sleep 1; echo 1007 >"$F/200-2/io_exits") &
VMCTL_DEBUGFS=$F run "$VMCTL" stat --once --interval 2
wait
# io_exits: 3 + 1007 in all, 1000 more over ~2 s (the interval vmctl
# measures is never exactly 2 s); guest_ns is no event.
if [ "$st" = 0 ] && grep -q '^svmhv: 2 VM(s)' "$T/out" &&
   awk '$1 == "io_exits" && $2 == 1010 && $3 >= 400 && $3 <= 600 { f = 1 }
	END { exit !f }' "$T/out" && ! grep -q guest_ns "$T/out"; then
	ok stat_sums_vms_and_shows_rates
else not_ok stat_sums_vms_and_shows_rates "status $st, stdout: $(cat "$T/out")"; fi
case_ stat_bad_interval_is_usage_error 2 "" "invalid --interval" stat --interval 0
case_ list_without_debugfs_is_error    1 "" "is svmhv loaded and debugfs mounted" \
      env VMCTL_DEBUGFS="$T/none" "$VMCTL" list
case_ stat_without_debugfs_is_error    1 "" "cannot read" \
      env VMCTL_DEBUGFS="$T/none" "$VMCTL" stat --once

if [ "$HOST_ONLY" = 1 ]; then
	tap_end
	exit $?
fi

# ---- guests under svmhv ----------------------------------------------------

REFCNT=/sys/module/svmhv/refcnt
ref0=$(cat "$REFCNT" 2>/dev/null)

HELLO='Hello from a guest under svmhv!\n'
#     test name                             status stdout              stderr            arguments
case_ hello_long_mode_prints_and_exits_0    0  "$HELLO"               EMPTY             start --mode long "$G/hello.bin"
case_ hello_default_mode_is_long            0  "$HELLO"               EMPTY             start "$G/hello.bin"
case_ hello_elf_image_runs                  0  "$HELLO"               EMPTY             start --mode long "$G/hello_elf.bin"
case_ verbose_keeps_stdout_byte_exact       0  "$HELLO"               "vmctl: exit: io" start -v --mode long "$G/hello.bin"
case_ real_mode_starting_state              0  'real mode ok\n'       EMPTY             start --mode real "$G/mode_real.bin"
case_ protected_mode_starting_state         0  'protected mode ok\n'  EMPTY             start --mode protected --mem 16M "$G/mode_prot.bin"
case_ long_mode_starting_state              0  'long mode ok\n'       EMPTY             start --mode long --mem 16M "$G/mode_long.bin"
case_ exit_port_byte_is_exit_status         42 'exiting with 42\n'    EMPTY             start --mode long "$G/exit42.bin"
case_ hlt_with_interrupts_off_is_80         80 ""  "guest halted with interrupts disabled" start --mode long "$G/hlt_cli.bin"
case_ hlt_with_interrupts_on_is_81          81 ""  "guest halted with interrupts enabled"  start --mode long "$G/hlt_sti.bin"
case_ triple_fault_is_82                    82 ""  "triple-faulted"                        start --mode long "$G/triple.bin"
case_ mmio_outside_ram_is_83_names_address  83 ""  "at 0xfffff000, outside guest RAM"      start --mode long --mem 16M "$G/mmio.bin"
case_ unknown_ports_read_ones_writes_ignored 0 'ports ok\n'           EMPTY             start --mode long "$G/ports.bin"
case_ strict_io_write_to_unknown_port_is_84 84 ""  "wrote 0x42 to unknown port 0x80"   start --mode long --strict-io "$G/ports.bin"
case_ strict_io_read_of_unknown_port_is_84  84 ""  "read from unknown port 0x60"       start --mode long --strict-io "$G/strict_in.bin"
case_ strict_in_guest_passes_without_strict 0  ""  EMPTY                               start --mode long "$G/strict_in.bin"
case_ load_and_entry_options                0  'entry ok\n'           EMPTY             start --mode long --load 0x200000 --entry 0x200010 "$G/entry_at.bin"
case_ hypercalls_version_features_console  0  'hello through a hypercall\n' EMPTY     start --mode long "$G/hypercall.bin"
# The guest's protection-key rights (PKRU) must never reach the host: with
# them, vmctl could not touch its own memory.  Only CPUs with PKU have it.
if grep -qw ospke /proc/cpuinfo; then
	case_ guest_pkru_never_reaches_host     0  'pkru set\n'           EMPTY             start --mode long "$G/pkru.bin"
else
	skipped guest_pkru_never_reaches_host "host CPU has no PKU (ospke)"
fi

# --cpu-features: what CPUID shows the guest, and what the module takes.
# The table svmhv accepts hides XSAVE, and with it AVX, PKU and the
# XSAVE states beyond SSE.
case_ cpu_features_hiding_xsave_accepted    0  "$HELLO"               ANY               start --cpu-features=-xsave "$G/hello.bin"
if grep -qw avx2 /proc/cpuinfo; then
	case_ cpuid_avx2_shown_by_default           10 'avx2 shown\n'        EMPTY             start "$G/cpuid_avx2.bin"
	case_ cpu_features_minus_avx2_hides_it      11 'avx2 hidden\n'       ANY               start --cpu-features=-avx2 "$G/cpuid_avx2.bin"
	case_ cpu_features_minus_avx_hides_avx2_too 11 'avx2 hidden\n'       "also hiding"     start --cpu-features=-avx "$G/cpuid_avx2.bin"
	case_ cpu_features_plus_offered_is_no_op    10 'avx2 shown\n'        EMPTY             start --cpu-features=+avx2 "$G/cpuid_avx2.bin"
else
	for t in cpuid_avx2_shown_by_default cpu_features_minus_avx2_hides_it \
		 cpu_features_minus_avx_hides_avx2_too cpu_features_plus_offered_is_no_op; do
		skipped "$t" "host CPU has no avx2"
	done
fi
if grep -qw avx512f /proc/cpuinfo; then
	skipped cpu_features_plus_not_offered_is_error "host CPU has avx512f"
else
	case_ cpu_features_plus_not_offered_is_error 1 ""                    "does not offer avx512f" start --cpu-features=+avx512f "$G/hello.bin"
fi

i=0
: >"$T/rep_expected"
while [ $i -lt 50 ]; do
	printf '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLM\n' >>"$T/rep_expected"
	i=$((i + 1))
done
run "$VMCTL" start --mode long "$G/rep_outsb.bin"
check rep_outsb_2500_bytes_byte_exact 0 "$T/rep_expected" EMPTY

printf 'looping\n' >"$T/looping"

# sig_case NAME SIGNAL STATUS: stop a looping guest with SIGNAL.
# Each case writes files of its own: polling a file the previous case
# wrote would find that case's "looping" before this vmctl has even
# truncated it (a race that once failed CI), then an empty file.
sig_case() {
	out=$T/sig-$1.out err=$T/sig-$1.err
	"$VMCTL" start --mode long "$G/loop.bin" >"$out" 2>"$err" &
	pid=$!
	# The guest's line must show up while it still runs (no buffering).
	# Generous: on a loaded machine the emulated host itself crawls.
	i=0
	while [ $i -lt $((30 * TICKS_PER_S)) ] && ! grep -qs looping "$out"; do
		sleep $TICK
		i=$((i + 1))
	done
	seen=no
	grep -qs looping "$out" && seen=yes
	kill -"$2" $pid
	# It must be gone within 15 seconds.
	( sleep 15; kill -KILL $pid ) >/dev/null 2>&1 &
	wd=$!
	wait $pid
	st=$?
	kill $wd 2>/dev/null
	wait $wd 2>/dev/null
	cp "$out" "$T/out"
	cp "$err" "$T/err"
	if [ $seen = no ]; then
		not_ok "$1" "guest output did not appear while the guest ran"
	elif [ "$2" != KILL ] && [ "$st" = 137 ]; then
		not_ok "$1" "vmctl still ran 15 s after SIG$2"
	else
		check "$1" "$3" "$T/looping" "$4"
	fi
}

sig_case sigint_stops_guest_exit_130 INT 130 "stopped by signal 2"
sig_case sigterm_stops_guest_exit_143 TERM 143 "stopped by signal 15"
sig_case sigkill_exit_137 KILL 137 EMPTY

# Unbuffered on a pipe: read the first line while the guest still loops.
mkfifo "$T/fifo"
"$VMCTL" start --mode long "$G/loop.bin" >"$T/fifo" 2>"$T/err" &
pid=$!
( sleep 30; kill -KILL $pid ) >/dev/null 2>&1 &
wd=$!
line=""
read -r line <"$T/fifo"
kill -TERM $pid 2>/dev/null
wait $pid
st=$?
kill $wd 2>/dev/null
wait $wd 2>/dev/null
if [ "$line" = looping ] && [ "$st" = 143 ]; then
	ok stdout_unbuffered_on_pipe
else
	not_ok stdout_unbuffered_on_pipe "read '$line', status $st (expected 'looping', 143)"
fi

case_ vm_usable_after_sigkill 0 "$HELLO" EMPTY start --mode long "$G/hello.bin"

# Access through the device's group, as udev/60-svmhv.rules grants it
# (group svmhv, mode 0660): a member runs guests, anyone else is told why.
if ! command -v run-as >/dev/null || [ "$(id -u)" != 0 ]; then
	skipped device_group_member_runs_guests "needs root and run-as"
	skipped device_outsider_gets_permission_denied "needs root and run-as"
	skipped guest_ram_beyond_memlock_limit_runs "needs root and run-as"
else
	dev=${VMCTL_DEVICE:-/dev/svmhv}
	chgrp 4242 "$dev" && chmod 0660 "$dev"
	# Guest RAM is not locked memory (SVMHV_CAP_MMU_NOTIFIER): a member
	# of the device's group runs a 64M guest under an 8 MiB (the kernel's
	# default) RLIMIT_MEMLOCK.
	case_ device_group_member_runs_guests 0 "$HELLO" EMPTY \
	      env sh -c 'ulimit -l 131072 && exec run-as 1000 4242 "$@"' sh \
	      "$VMCTL" start "$G/hello.bin"
	case_ guest_ram_beyond_memlock_limit_runs 0 "$HELLO" EMPTY \
	      env sh -c 'ulimit -l 8192 && exec run-as 1000 4242 "$@"' sh \
	      "$VMCTL" start "$G/hello.bin"
	case_ device_outsider_gets_permission_denied 1 "" \
	      "permission denied" env run-as 1000 1000 "$VMCTL" start "$G/hello.bin"
	chgrp 0 "$dev" && chmod 0600 "$dev"
fi

# svmhv's tracepoints, enabled through tracefs, record a known guest:
# hello.bin writes COM1 (port 0x3f8: IOIO exits, code 0x7b, port in
# EXITINFO1 bits 31:16), exits to vmctl with SVMHV_EXIT_IO (1) and its
# first touches of RAM are nested page faults that get mapped.
TR=/sys/kernel/tracing
[ -d "$TR/events" ] || TR=/sys/kernel/debug/tracing
if [ ! -d "$TR/events/svmhv" ]; then
	skipped tracepoints_record_a_known_guest "no svmhv events in tracefs"
else
	echo 0 >"$TR/tracing_on"
	: >"$TR/trace"
	echo 1 >"$TR/events/svmhv/enable"
	echo 1 >"$TR/tracing_on"
	"$VMCTL" start "$G/hello.bin" >/dev/null 2>&1
	echo 0 >"$TR/tracing_on"
	echo 0 >"$TR/events/svmhv/enable"
	cat "$TR/trace" >"$T/trace"
	missing=
	grep -q 'svmhv_entry: vcpu 0 rip 0x' "$T/trace" || missing="$missing entry"
	grep -q 'svmhv_exit: vcpu 0 exit_code 0x7b info1 0x3f8[0-9a-f]\{4\} ' \
		"$T/trace" || missing="$missing exit(IOIO,0x3f8)"
	grep -q 'svmhv_userspace_exit: vcpu 0 exit_reason 1 ' "$T/trace" ||
		missing="$missing userspace_exit(IO)"
	grep -q 'svmhv_npf: vcpu 0 gpa 0x[0-9a-f]* error_code 0x[0-9a-f]* mapped' \
		"$T/trace" || missing="$missing npf(mapped)"
	if [ -z "$missing" ]; then ok tracepoints_record_a_known_guest
	else not_ok tracepoints_record_a_known_guest "no event:$missing" \
		"$(grep svmhv_ "$T/trace" | head -n 5)"; fi
fi

# A running guest appears in vmctl list and vmctl stat (real debugfs).
if [ ! -d /sys/kernel/debug/svmhv ]; then
	skipped list_and_stat_see_a_running_guest "no /sys/kernel/debug/svmhv"
else
	"$VMCTL" start --mode long "$G/loop.bin" >/dev/null 2>&1 &
	loop=$!
	# Wait for the VM itself rather than a fixed second: on a loaded
	# machine vmctl may not have created it yet.
	i=0
	while [ $i -lt $((30 * TICKS_PER_S)) ]; do
		"$VMCTL" list >"$T/list" 2>&1
		grep -q "^$loop " "$T/list" && break
		sleep $TICK
		i=$((i + 1))
	done
	"$VMCTL" stat --once --interval 1 >"$T/stat" 2>&1
	kill -TERM "$loop" 2>/dev/null
	wait "$loop" 2>/dev/null
	if grep -q "^$loop " "$T/list" && grep -q '^exits ' "$T/stat" &&
	   grep -q '^svmhv: [1-9][0-9]* VM(s)' "$T/stat"; then
		ok list_and_stat_see_a_running_guest
	else
		not_ok list_and_stat_see_a_running_guest "pid $loop" \
			"list: $(cat "$T/list")" "stat: $(cat "$T/stat")"
	fi
fi

# Every VM above is gone: the module's reference count is back where it was.
if [ -z "$ref0" ]; then
	skipped no_vm_left_behind_after_signals "$REFCNT not readable"
else
	i=0
	ref1=$(cat "$REFCNT")
	while [ "$ref1" != "$ref0" ] && [ $i -lt $((15 * TICKS_PER_S)) ]; do
		sleep $TICK
		i=$((i + 1))
		ref1=$(cat "$REFCNT")
	done
	if [ "$ref1" = "$ref0" ]; then ok no_vm_left_behind_after_signals
	else not_ok no_vm_left_behind_after_signals "svmhv refcnt $ref1, was $ref0 before the tests"; fi
fi

tap_end
