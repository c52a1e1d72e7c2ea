#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Provide the kernel-tree files svmhv builds and lints with, without a kernel
# tree: the kselftest headers (kselftest.h, kselftest_harness.h and the
# kselftest*.h beside them) into build/kselftest/, and checkpatch.pl with
# the data files it reads (spelling.txt, const_structs.checkpatch) into
# build/kernel-scripts/.  They come from Debian's linux-source-6.1 tarball;
# unpacking them takes ~20 s, so the result is kept in build/ and also in a
# per-machine cache (${XDG_CACHE_HOME:-~/.cache}/svmhv) that fresh clones
# copy from.  Both are keyed by the tarball's size and mtime.
#
# Usage: scripts/kselftest-headers.sh [BUILD_DIR]   (default: <repo>/build)
# Environment: LINUX_SOURCE_TARBALL overrides the tarball.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$repo/build}
tarball=${LINUX_SOURCE_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
cache=${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/svmhv/kernel-files

if [ ! -r "$tarball" ]; then
	echo "kselftest-headers.sh: $tarball missing; run scripts/install-deps.sh" \
		"(package linux-source-6.1)" >&2
	exit 1
fi

key="$(basename "$tarball") $(stat -c '%s %Y' "$tarball")"
wanted=(kselftest/kselftest.h kselftest/kselftest_harness.h
	kernel-scripts/checkpatch.pl kernel-scripts/spelling.txt
	kernel-scripts/const_structs.checkpatch)

complete() {	# complete DIR: DIR holds every wanted file, from this tarball
	local f
	[ "$(cat "$1/.stamp" 2>/dev/null)" = "$key" ] || return 1
	for f in "${wanted[@]}"; do
		[ -s "$1/$f" ] || return 1
	done
}

install_from() {	# install_from SRC DST: copy both folders and the stamp
	rm -rf "$2/kselftest" "$2/kernel-scripts"
	mkdir -p "$2"
	cp -a "$1/kselftest" "$1/kernel-scripts" "$2/"
	echo "$key" >"$2/.stamp"
}

complete "$build" && exit 0

if ! complete "$cache"; then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	echo "  EXTRACT kselftest headers and checkpatch from $tarball" >&2
	tar -xJf "$tarball" -C "$tmp" --wildcards --no-wildcards-match-slash \
		'*/tools/testing/selftests/kselftest*.h' \
		'*/scripts/checkpatch.pl' \
		'*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'
	src=$(echo "$tmp"/*)
	mkdir -p "$tmp/out/kselftest" "$tmp/out/kernel-scripts"
	cp "$src"/tools/testing/selftests/kselftest*.h "$tmp/out/kselftest/"
	cp "$src"/scripts/checkpatch.pl "$src"/scripts/spelling.txt \
		"$src"/scripts/const_structs.checkpatch "$tmp/out/kernel-scripts/"
	chmod +x "$tmp/out/kernel-scripts/checkpatch.pl"
	echo "$key" >"$tmp/out/.stamp"
	# The per-machine cache is an optimisation: failing to write it is fine.
	install_from "$tmp/out" "$cache" 2>/dev/null || true
	install_from "$tmp/out" "$build"
else
	install_from "$cache" "$build"
fi

# The harness must end each program with ksft_print_cnts()'s
# "# Totals: pass:N fail:N ..." line: scripts/check.sh sums those lines.
if ! grep -q 'ksft_print_cnts' "$build/kselftest/kselftest.h" ||
   ! grep -q '# Totals: pass:' "$build/kselftest/kselftest.h"; then
	echo "kselftest-headers.sh: kselftest.h lacks the '# Totals:' line" >&2
	exit 1
fi
complete "$build"
