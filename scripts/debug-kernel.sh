#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the debug kernel that `make check-debug` boots as the emulated host:
# Debian's linux-source-6.1 with KASAN, lockdep (PROVE_LOCKING),
# DEBUG_ATOMIC_SLEEP, kmemleak, UBSAN, KFENCE and friends, configured
# from scripts/debug-kernel.config alone (`make allnoconfig` with that
# file as KCONFIG_ALLCONFIG: a trimmed kernel for QEMU's TCG EPYC).
# Everything lives in build/debug-kernel/:
#   linux-source-6.1/   the tree, built in place (KDIR for svmhv.ko)
#   root/boot/vmlinuz-KVER, root/lib/modules/KVER/
#                       the installed kernel and modules, laid out like /
#                       (KERNEL_ROOT of kver.sh, mkinitramfs.sh, run-vm.sh)
#   build.log           the last kernel build's output
#   built               source version and configuration of the last
#                       finished build, and its release
# The tree is extracted again only when the linux-source-6.1 package
# changes, and built again only when it or scripts/debug-kernel.config
# changed (kbuild then rebuilds what they touch).
# Prints the kernel release (KVER) on stdout, all else on stderr.
#
# Usage: scripts/debug-kernel.sh
# Environment: JOBS (make -j, default: the number of CPUs).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
top=$repo/build/debug-kernel
src=$top/linux-source-6.1
root=$top/root
fragment=$repo/scripts/debug-kernel.config
tarball=/usr/src/linux-source-6.1.tar.xz
log=$top/build.log
jobs=${JOBS:-$(nproc)}

say() { echo "debug-kernel.sh: $*" >&2; }
die() { say "$*"; exit 1; }

# The kernel's own build needs these besides what make check installs.
"$repo/scripts/install-deps.sh" flex bison bc libelf-dev libssl-dev >&2

version=$(dpkg-query -W -f='${Version}' linux-source-6.1)
mkdir -p "$top"
if [ ! -f "$src/Makefile" ] || [ "$(cat "$top/source-version" 2>/dev/null)" != "$version" ]; then
	say "extracting linux-source-6.1 $version"
	rm -rf "$src" "$root" "$top/source-version"
	nice -n 19 tar -xJf "$tarball" -C "$top"
	[ -f "$src/Makefile" ] || die "$tarball did not give $src"
	echo "$version" >"$top/source-version"
fi

# Built before from the same source and configuration: done.  Not left to
# kbuild: `make -C KDIR M=$PWD clean` for svmhv (make lint) deletes every
# *.o and .*.cmd below the repository, this tree's included, and kbuild
# would then build it all again although vmlinux, bzImage, the installed
# modules and what an external module build needs are all still there.
stamp=$top/built
want="$version $(sha256sum <"$fragment" | cut -d' ' -f1)"
# That clean deletes the installed *.ko too: they are kept in modules.tar
# as well, which it leaves alone.
modules_present() {	# modules_present KVER: every module modules.dep names
	local ko
	[ -s "$root/lib/modules/$1/modules.dep" ] || return 1
	while IFS=: read -r ko _; do
		[ -e "$root/lib/modules/$1/$ko" ] || return 1
	done <"$root/lib/modules/$1/modules.dep"
}
if [ -s "$stamp" ] && [ "$(head -n 1 "$stamp")" = "$want" ]; then
	kver=$(sed -n 2p "$stamp")
	if ! modules_present "$kver" && [ -s "$top/modules.tar" ]; then
		tar -xf "$top/modules.tar" -C "$root"
	fi
	if [ -s "$root/boot/vmlinuz-$kver" ] && modules_present "$kver" &&
	   [ -s "$src/Module.symvers" ] && [ -x "$src/scripts/mod/modpost" ]; then
		say "$kver is built (${stamp#"$repo"/}; remove it to rebuild)"
		echo "$kver"
		exit 0
	fi
fi
rm -f "$stamp"

# Configure.  allnoconfig leaves every option it cannot set as asked
# (an unmet dependency) silently off: compare.
kmake() { nice -n 19 make -C "$src" -j"$jobs" "$@"; }
kmake -s KCONFIG_ALLCONFIG="$fragment" allnoconfig >&2
bad=0
while read -r line; do
	case $line in
	CONFIG_*=*)
		grep -qxF "$line" "$src/.config" && continue
		say "$line asked for, .config has: $(grep -E "^${line%%=*}=|^# ${line%%=*} is not set" "$src/.config" || echo nothing)"
		bad=1 ;;
	"# CONFIG_"*" is not set")
		sym=${line#\# }
		sym=${sym%% *}
		grep -q "^$sym=" "$src/.config" || continue
		say "$sym asked to be off, .config has: $(grep "^$sym=" "$src/.config")"
		bad=1 ;;
	esac
done <"$fragment"
[ "$bad" = 0 ] || die "scripts/debug-kernel.config does not configure as written (dependencies?)"

kver=$(make -s -C "$src" kernelrelease)
started=$SECONDS
say "building $kver in $src (log: ${log#"$repo"/})"
if ! kmake bzImage modules >"$log" 2>&1; then
	tail -n 40 "$log" >&2
	die "kernel build failed (log: $log)"
fi
say "kernel built in $((SECONDS - started)) s"

# Install like Debian's package does, into root/ instead of /: three
# modules, a second or two, so every time.
moddir=$root/lib/modules/$kver
rm -rf "$moddir"
kmake -s INSTALL_MOD_PATH="$root" modules_install >&2
mkdir -p "$root/boot"
# -p: an unchanged image keeps its date, and run-vm.sh its vmlinux cache.
cp -p "$src/arch/x86/boot/bzImage" "$root/boot/vmlinuz-$kver.tmp"
mv "$root/boot/vmlinuz-$kver.tmp" "$root/boot/vmlinuz-$kver"
ln -sfn "$src" "$moddir/build"
[ -s "$moddir/modules.dep" ] || die "no modules.dep in $moddir"
tar -cf "$top/modules.tar" -C "$root" "lib/modules/$kver"
printf '%s\n%s\n' "$want" "$kver" >"$stamp"
echo "$kver"
