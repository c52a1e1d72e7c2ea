# shellcheck shell=sh
# SPDX-License-Identifier: GPL-2.0
#
# What the Linux-guest tests of tools/vmctl/tests share, sourced by them
# (POSIX sh: they run in the emulated machine's busybox): TAP 13 with
# kselftest's "# Totals:" line, checks of a guest's console ($T/out) and
# of vmctl's stderr ($T/err), and waiting for vmctl under a watchdog.
#
#   tap_begin NAME   make $T, a temporary directory removed at exit (a
#                    test with an EXIT trap of its own removes it there),
#                    and print the TAP header
#   ok NAME, skipped NAME WHY, not_ok NAME [DIAGNOSTIC...]
#   expect NAME STATUS [DIAGNOSTIC...]   ok if STATUS is 0, else not ok
#   has TEXT         the guest printed TEXT
#   tail_out         the end of the guest's output and vmctl's stderr
#   uptime_s         seconds since boot (for durations)
#   wait_vmctl PID   wait for vmctl PID, sending it SIGTERM after $TIMEOUT
#                    seconds; sets $st (its exit status) and $secs (wall
#                    clock seconds since $t0, which the caller set)
#   tap_end          the plan and the totals; status 1 if a test failed

tap_begin() {
	mkdir -p "${TMPDIR:-/tmp}"
	T=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX") || exit 1
	trap 'rm -rf "$T"' EXIT
	n=0 pass=0 fail=0 skip=0
	echo "TAP version 13"
}
ok() { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n $1"; }
skipped() { n=$((n + 1)); skip=$((skip + 1)); echo "ok $n $1 # SKIP $2"; }
not_ok() {
	n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n $1"
	shift
	for line in "$@"; do echo "# $line"; done
}
expect() {
	name=$1 st_=$2
	shift 2
	if [ "$st_" -eq 0 ]; then ok "$name"; else not_ok "$name" "$@"; fi
}
has() { grep -F -- "$1" "$T/out" >/dev/null; }
tail_out() { tail -n 15 "$T/out" | sed 's/^/guest: /'; sed 's/^/stderr: /' "$T/err"; }
uptime_s() { cut -d' ' -f1 /proc/uptime; }
# shellcheck disable=SC2034,SC2154 # st and secs are for the caller, t0 from it
wait_vmctl() {
	( sleep "$TIMEOUT"; kill -TERM "$1" 2>/dev/null ) &
	dog=$!
	wait "$1"
	st=$?
	kill "$dog" 2>/dev/null
	wait "$dog" 2>/dev/null
	secs=$(awk -v a="$t0" -v b="$(uptime_s)" 'BEGIN { printf "%.1f", b - a }')
}
tap_end() {
	echo "1..$n"
	echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:$skip error:0"
	[ "$fail" -eq 0 ]
}
