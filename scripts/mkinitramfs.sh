#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build build/initramfs-<mode>.cpio.gz, the whole root file system of the
# emulated EPYC host that svmhv is tested on (the test kernel boots into it
# and never mounts anything else).  busybox-static provides the shell and
# insmod/rmmod; scripts/guest-init.sh becomes /init.  Layout:
#   /svmhv/svmhv.ko         the module under test
#   /svmhv/svmhv-dkms.ko    the same, built and signed by DKMS (check only)
#   /kvm/*.ko, load-order   Debian's kvm_amd and its dependencies, in load
#                           order (busybox has no working modprobe)
#   /modules/msr.ko         /dev/cpu/N/msr, to read EFER in the tests
#   /modules/zram*.ko       swap for swap_test (zram-load-order: their order)
#   /modules/tun.ko         /dev/net/tun for vmctl --net (smp, shell)
#   /usr/bin/vmctl, /usr/bin/kvm-hold-vm, /usr/bin/run-as, /guests/*.bin
#   /linux/bzImage, /linux/guest-initrd.cpio.gz
#                           the Linux guest vmctl boots: this same kernel
#                           (LINUX_GUEST_BZIMAGE=file: another one)
#   /linux/disk.ext4        smp, shell: the guest's ext4 disk (16 MiB)
#   /linux/rootfs.ext4      smp, shell: the guest's root disk (32 MiB), with
#                           e2fsck and debugfs (and their libraries) to check it
#   /tests/vmctl/vmctl_test.sh, linux_boot_test.sh (check), linux_smp_test.sh,
#                           linux_virtio_test.sh, linux_rootdisk_test.sh,
#                           linux_net_test.sh (smp), linux_tap.sh (what they
#                           and vmctl_test.sh share)
#   /selftests/*, tests.list   from `make -C selftests install DESTDIR=`
#   /usr/bin/svmbench, /usr/bin/vmmboot, /usr/bin/guestio   bench mode only:
#                           bench/'s programs and, for the whole-VMM
#                           benchmarks, vmctl, /linux/* (guest-initrd-io:
#                           with guestio), tun.ko and Debian's QEMU (below)
# Modes: check (everything), run (module, vmctl, guests), shell (everything),
# bench (module, kvm modules, svmbench, vmmboot, vmctl, the Linux guest,
# QEMU), hostlife (module, vmctl, guests).
# Files are taken as built: run `make all` first (scripts/check.sh does).
#
# Usage: scripts/mkinitramfs.sh MODE   (KVER picks the kernel, as kver.sh;
#   KERNEL_ROOT, as there, a kernel and modules installed elsewhere than /)
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build=$repo/build
mode=${1:?usage: mkinitramfs.sh check|run|shell|bench|hostlife|smp}
case $mode in
check|run|shell|bench|hostlife|smp) ;;
*) echo "mkinitramfs.sh: unknown mode '$mode'" >&2; exit 2 ;;
esac
KVER=$("$repo/scripts/kver.sh")
kroot=${KERNEL_ROOT:-}
moddir=$kroot/lib/modules/$KVER
out=$build/initramfs-$mode.cpio.gz
stage=$build/initramfs-$mode.d

die() { echo "mkinitramfs.sh: $*" >&2; exit 1; }

need() {	# need FILE WHAT: FILE must exist, else say which target makes it
	[ -e "$1" ] || die "$1 missing ($2)"
}

# The initramfs has no C library: every program must be linked statically.
check_static() {	# check_static FILE HOW-TO-REBUILD
	[ "$(head -c 4 "$1" | od -An -c | tr -d ' ')" = '177ELF' ] || return 0
	if readelf -l "$1" | grep 'program interpreter' >/dev/null; then
		die "$1 is dynamically linked; rebuild it static: $2"
	fi
}

# Copy a kernel module, decompressing it: busybox insmod loads plain ELF.
copy_ko() {	# copy_ko SRC DSTDIR
	local name
	name=$(basename "$1")
	case $1 in
	*.ko.xz)  xz -dc "$1" >"$2/${name%.xz}" ;;
	*.ko.zst) zstd -qdc "$1" >"$2/${name%.zst}" ;;
	*.ko.gz)  gzip -dc "$1" >"$2/${name%.gz}" ;;
	*.ko)     cp "$1" "$2/" ;;
	*)        die "not a kernel module: $1" ;;
	esac
}

# Path of module NAME (dashes and underscores are the same) for $KVER.
module_path() {
	local want rel base
	want=${1//-/_}
	while IFS=: read -r rel _; do
		base=$(basename "$rel")
		base=${base%%.ko*}
		if [ "${base//-/_}" = "$want" ]; then
			echo "$moddir/$rel"
			return 0
		fi
	done <"$moddir/modules.dep"
	return 1
}

# Append NAME's dependencies, then NAME, to $kvm_order (depth first).
kvm_order=()
add_with_deps() {
	local name=$1 path dep seen
	for seen in "${kvm_order[@]}"; do
		[ "$seen" = "$name" ] && return 0
	done
	path=$(module_path "$name") || die "module $name not found for $KVER"
	for dep in $(modinfo -F depends "$path" | tr ',' ' '); do
		add_with_deps "${dep//-/_}"
	done
	kvm_order+=("$name")
	kvm_paths+=("$path")
}

rm -rf "$stage"
mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,proc,sys,tmp,root,etc,svmhv}

# busybox and its applet links, made here so /init can use them at once.
busybox=$(command -v busybox) || die "busybox missing (package busybox-static)"
if readelf -l "$busybox" | grep 'program interpreter' >/dev/null; then
	die "$busybox is dynamically linked (install busybox-static)"
fi
cp "$busybox" "$stage/bin/busybox"
"$busybox" --list-full | while read -r applet; do
	[ -e "$stage/$applet" ] || ln -s /bin/busybox "$stage/$applet"
done

install -m 0755 "$repo/scripts/guest-init.sh" "$stage/init"
echo "$mode" >"$stage/etc/svmhv-mode"
echo "$KVER" >"$stage/etc/svmhv-kver"

need "$repo/module/svmhv.ko" "make module"
cp "$repo/module/svmhv.ko" "$stage/svmhv/"
# The DKMS-built copy, when scripts/check.sh made one for this kernel.
if [ -f "$build/svmhv-dkms.ko" ]; then
	cp "$build/svmhv-dkms.ko" "$stage/svmhv/svmhv-dkms.ko"
fi

# Debian's kvm_amd and its dependencies into /kvm, with their load order.
copy_kvm_modules() {
	mkdir -p "$stage/kvm"
	kvm_paths=()
	add_with_deps kvm_amd
	for p in "${kvm_paths[@]}"; do
		copy_ko "$p" "$stage/kvm"
		b=$(basename "$p")
		echo "${b%%.ko*}.ko" >>"$stage/kvm/load-order"
	done
}

# copy_host_file FILE: FILE (symlinks followed) at the same path in the
# initramfs.
copy_host_file() {
	install -D -m "$([ -x "$1" ] && echo 0755 || echo 0644)" "$1" "$stage$1"
}

# copy_host_program PATH: a dynamically linked program of this machine,
# every shared library ldd names and the dynamic loader, all at their
# paths here.
copy_host_program() {
	local lib
	copy_host_file "$1"
	# "libX.so => /path (addr)" and the loader's own "/path (addr)".
	for lib in $(ldd "$1" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }
				    $1 ~ /^\// { print $1 }'); do
		copy_host_file "$lib"
	done
}

# Debian's qemu-system-x86_64 for the boot benchmark (`make bench`, QEMU
# on kvm_amd against vmctl on svmhv): the binary, every shared library
# ldd names and the dynamic loader, all at their paths on this machine,
# and the firmware an `-M pc -kernel` boot reads (SeaBIOS, the linuxboot
# option ROM, kvmvapic).  Copied rather than shared from this machine's
# root over 9p or virtiofs: no file system driver or PCI device in the
# emulated host that the other benchmarks do not have, nothing that
# depends on what else is installed here, and QEMU starts from RAM like
# the static vmctl, so neither VMM pays for file I/O through the emulator.
# About 50 MB unpacked.
copy_qemu() {
	local qemu fw dir found
	qemu=$(command -v qemu-system-x86_64) || die "qemu-system-x86_64 missing (package qemu-system-x86)"
	copy_host_program "$qemu"
	# QEMU's firmware search path on Debian (qemu-system-x86's
	# --firmwarepath).
	for fw in bios-256k.bin linuxboot_dma.bin kvmvapic.bin; do
		found=
		for dir in /usr/share/qemu /usr/share/seabios /usr/lib/ipxe/qemu; do
			if [ -e "$dir/$fw" ]; then
				copy_host_file "$dir/$fw"
				found=1
				break
			fi
		done
		[ -n "$found" ] || die "QEMU firmware $fw missing (packages qemu-system-data, seabios)"
	done
}

# The benchmark needs none of the tests (`make bench`); vmctl, the Linux
# guest and QEMU only for the boot and idle measurements.
if [ "$mode" = bench ]; then
	copy_kvm_modules
	for prog in svmbench vmmboot guestio; do
		need "$repo/bench/$prog" "make -C bench"
		check_static "$repo/bench/$prog" "make -C bench clean; make -C bench"
		install -m 0755 "$repo/bench/$prog" "$stage/usr/bin/$prog"
	done
	need "$repo/tools/vmctl/vmctl" "make vmctl"
	check_static "$repo/tools/vmctl/vmctl" "make -C tools/vmctl clean; make vmctl"
	install -m 0755 "$repo/tools/vmctl/vmctl" "$stage/usr/bin/vmctl"
	mkdir -p "$stage/linux"
	need "$kroot/boot/vmlinuz-$KVER" "scripts/install-deps.sh (linux-image-$KVER)"
	cp "$kroot/boot/vmlinuz-$KVER" "$stage/linux/bzImage"
	need "$build/linux-guest-initrd.cpio.gz" "make helpers"
	cp "$build/linux-guest-initrd.cpio.gz" "$stage/linux/guest-initrd.cpio.gz"
	# The I/O benchmark's guest: the same initramfs with bench/guestio
	# appended as a second archive (the kernel unpacks concatenated
	# archives in order), so the boot benchmark's stays as it was.
	iodir=$(mktemp -d)
	install -D -m 0755 "$repo/bench/guestio" "$iodir/usr/bin/guestio"
	{
		cat "$build/linux-guest-initrd.cpio.gz"
		(cd "$iodir" && find . -mindepth 1 | LC_ALL=C sort |
			cpio --quiet -o -H newc -R 0:0 | gzip -1)
	} >"$stage/linux/guest-initrd-io.cpio.gz"
	rm -rf "$iodir"
	# The tap of the network benchmark: the host's tun driver.
	mkdir -p "$stage/modules"
	if tun_ko=$(module_path tun); then
		copy_ko "$tun_ko" "$stage/modules"
	fi
	copy_qemu
else
	need "$repo/tools/vmctl/vmctl" "make vmctl"
	check_static "$repo/tools/vmctl/vmctl" "make -C tools/vmctl clean; make vmctl"
	install -m 0755 "$repo/tools/vmctl/vmctl" "$stage/usr/bin/vmctl"
	mkdir -p "$stage/guests"
	shopt -s nullglob
	guests=("$repo"/tools/vmctl/guests/*.bin)
	shopt -u nullglob
	[ ${#guests[@]} -gt 0 ] || die "no tools/vmctl/guests/*.bin (make vmctl)"
	cp "${guests[@]}" "$stage/guests/"

	# A real operating system for vmctl to boot: the test kernel itself
	# unless LINUX_GUEST_BZIMAGE names another (make check-debug: Debian's,
	# a KASAN kernel would boot too slowly as a guest), with a small
	# initramfs of its own (tools/vmctl/tests/).  The hostlife boot runs
	# only the flat guests.
	if [ "$mode" != hostlife ]; then
		mkdir -p "$stage/linux"
		guest_kernel=${LINUX_GUEST_BZIMAGE:-$kroot/boot/vmlinuz-$KVER}
		need "$guest_kernel" "scripts/install-deps.sh (linux-image-$KVER)"
		cp "$guest_kernel" "$stage/linux/bzImage"
		need "$build/linux-guest-initrd.cpio.gz" "make helpers"
		cp "$build/linux-guest-initrd.cpio.gz" "$stage/linux/guest-initrd.cpio.gz"
	fi
fi

# The SMP boot: Linux guests on the multi-core PC (scripts/check.sh).
if [ "$mode" = smp ] || [ "$mode" = shell ]; then
	mkdir -p "$stage/tests/vmctl"
	install -m 0644 "$repo/tools/vmctl/tests/linux_tap.sh" "$stage/tests/vmctl/"
	install -m 0755 "$repo/tools/vmctl/tests/linux_smp_test.sh" "$stage/tests/vmctl/"
	install -m 0755 "$repo/tools/vmctl/tests/linux_virtio_test.sh" "$stage/tests/vmctl/"
	# The ext4 image linux_virtio_test.sh gives its guest (vmctl --disk).
	need "$build/linux-guest-disk.ext4" "make helpers"
	cp "$build/linux-guest-disk.ext4" "$stage/linux/disk.ext4"
	# The root disk of linux_rootdisk_test.sh, and what checks it after
	# the guest is gone: e2fsck, and debugfs to read files without a mount.
	install -m 0755 "$repo/tools/vmctl/tests/linux_rootdisk_test.sh" "$stage/tests/vmctl/"
	need "$build/linux-guest-rootfs.ext4" "make helpers"
	cp "$build/linux-guest-rootfs.ext4" "$stage/linux/rootfs.ext4"
	for prog in e2fsck debugfs; do
		p=$(PATH=$PATH:/sbin:/usr/sbin command -v "$prog") ||
			die "$prog missing (package e2fsprogs)"
		copy_host_program "$p"
	done
fi

# The network test of the SMP boot: vmctl --net needs the host's tun
# driver (a module on Debian's kernels; nothing to copy if built in).
if [ "$mode" = smp ] || [ "$mode" = shell ]; then
	mkdir -p "$stage/modules" "$stage/tests/vmctl"
	if tun_ko=$(module_path tun); then
		copy_ko "$tun_ko" "$stage/modules"
	fi
	install -m 0755 "$repo/tools/vmctl/tests/linux_net_test.sh" "$stage/tests/vmctl/"
fi

if [ "$mode" = check ] || [ "$mode" = shell ]; then
	mkdir -p "$stage/tests/vmctl" "$stage/selftests"
	copy_kvm_modules

	# msr.ko lets module_load.sh read EFER through /dev/cpu/N/msr.
	mkdir -p "$stage/modules"
	copy_ko "$(module_path msr)" "$stage/modules"
	# zram and what it needs, in load order: swap for the reclaim test
	# (selftests/swap_test.c, which skips without it: the debug kernel
	# of make check-debug has no zram).
	kvm_order=() kvm_paths=()
	if module_path zram >/dev/null; then
		add_with_deps zram
		for p in "${kvm_paths[@]}"; do
			copy_ko "$p" "$stage/modules"
			b=$(basename "$p")
			echo "${b%%.ko*}.ko" >>"$stage/modules/zram-load-order"
		done
	fi

	need "$build/kvm-hold-vm" "make helpers"
	install -m 0755 "$build/kvm-hold-vm" "$stage/usr/bin/kvm-hold-vm"
	need "$build/run-as" "make helpers"
	install -m 0755 "$build/run-as" "$stage/usr/bin/run-as"

	need "$repo/tools/vmctl/tests/vmctl_test.sh" "the vmctl in-VM test"
	install -m 0755 "$repo/tools/vmctl/tests/vmctl_test.sh" "$stage/tests/vmctl/"
	install -m 0644 "$repo/tools/vmctl/tests/linux_tap.sh" "$stage/tests/vmctl/"
	install -m 0755 "$repo/tools/vmctl/tests/linux_boot_test.sh" "$stage/tests/vmctl/"

	need "$repo/selftests/Makefile" "the selftests"
	make -s -C "$repo/selftests" install DESTDIR="$stage/selftests" \
		STATIC=1 KSFT_INC="$build/kselftest" >&2
	need "$stage/selftests/tests.list" "written by make -C selftests install"
	while read -r prog; do
		[ -z "$prog" ] && continue
		[ -x "$stage/selftests/$prog" ] ||
			die "selftests/tests.list names $prog, not installed as executable"
		check_static "$stage/selftests/$prog" \
			"make -C selftests clean; make selftests"
	done <"$stage/selftests/tests.list"
	# The module-load tests run before anything else loads svmhv.ko.
	[ -e "$stage/selftests/module_load.sh" ] ||
		install -m 0755 "$repo/selftests/module_load.sh" "$stage/selftests/"
fi

# /dev/console must exist before /init runs, or the kernel starts /init
# without stdin/stdout.  Making the node needs no root: write a first cpio
# (newc) archive holding /dev and /dev/console by hand; the kernel unpacks
# concatenated archives in order.
newc() {	# newc NAME MODE_OCTAL RDEV_MAJOR RDEV_MINOR INO
	local namesize=$((${#1} + 1)) pad
	printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
		"$5" "$((8#$2))" 0 0 1 0 0 0 0 "$3" "$4" "$namesize" 0
	printf '%s\0' "$1"
	pad=$(((4 - (110 + namesize) % 4) % 4))
	head -c "$pad" /dev/zero
}

tmp=$out.tmp
{
	newc dev 040755 0 0 1
	newc dev/console 020600 5 1 2
	newc TRAILER!!! 0 0 0 0
	(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
		cpio --quiet -o -H newc -R 0:0)
} | gzip -1 >"$tmp"
mv "$tmp" "$out"
echo "  INITRAMFS $(realpath --relative-to="$repo" "$out") ($KVER, $(du -h "$out" | cut -f1))" >&2
