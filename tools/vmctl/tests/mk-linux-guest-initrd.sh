#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Build the initramfs of the Linux guest that vmctl boots in
# linux_boot_test.sh: busybox-static with its applet links and a small
# /init.  Runs on the build machine (POSIX sh, cpio, gzip).
#
# Usage: mk-linux-guest-initrd.sh OUTPUT.cpio.gz [BUSYBOX]
#   BUSYBOX  a statically linked busybox (default: busybox on $PATH,
#            Debian's busybox-static package)
#
# The guest's /init, by guest.mode= on the kernel command line:
#   test (default)  print LINUX-GUEST-INIT on the console, check that
#       /proc/cpuinfo has the hypervisor flag, write and read a file in
#       tmpfs, let 5 s of guest time pass with the timer ticking (uptime
#       and jiffies-driven sleep), each check printing a LINUX-GUEST-*
#       line with ok/FAIL, then LINUX-GUEST-DONE and power off.
#   shell  an interactive shell on the console; power off when it exits.
set -eu

out=${1:?usage: mk-linux-guest-initrd.sh OUTPUT.cpio.gz [BUSYBOX]}
bb=${2:-$(command -v busybox || true)}
[ -n "$bb" ] && [ -x "$bb" ] || { echo "mk-linux-guest-initrd.sh: no busybox (apt-get install busybox-static)" >&2; exit 1; }
if ! file -L "$bb" 2>/dev/null | grep -q 'statically linked'; then
	echo "mk-linux-guest-initrd.sh: $bb is not statically linked (busybox-static)" >&2
	exit 1
fi

stage=$(mktemp -d "${TMPDIR:-/tmp}/linux-guest-initrd.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin" "$stage/sbin" "$stage/usr/bin" "$stage/usr/sbin" \
	 "$stage/proc" "$stage/sys" "$stage/dev" "$stage/tmp" "$stage/root"
cp "$bb" "$stage/bin/busybox"
for applet in $("$bb" --list-full); do
	[ "$applet" = bin/busybox ] && continue
	ln -s /bin/busybox "$stage/$applet"
done

cat >"$stage/init" <<'INIT'
#!/bin/sh
# /init of vmctl's Linux test guest (tools/vmctl/tests/mk-linux-guest-initrd.sh).
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
mount -t devtmpfs devtmpfs /dev
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs tmpfs /tmp
exec </dev/console >/dev/console 2>&1

mode=test
for word in $(cat /proc/cmdline); do
	case $word in guest.mode=*) mode=${word#guest.mode=} ;; esac
done

echo "LINUX-GUEST-INIT $(uname -r)"
if [ "$mode" = shell ]; then
	setsid cttyhack sh
	poweroff -f
fi

# One function per check, named after the LINUX-GUEST-* line it prints.
CPUINFO() { grep -q '^flags.* hypervisor' /proc/cpuinfo; }
TMPFS() {
	echo "written in tmpfs" >/tmp/probe && [ "$(cat /tmp/probe)" = "written in tmpfs" ]
}
UPTIME() {
	u1=$(cut -d' ' -f1 /proc/uptime)
	sleep 5
	u2=$(cut -d' ' -f1 /proc/uptime)
	echo "LINUX-GUEST-UPTIME $u1 -> $u2"
	awk -v a="$u1" -v b="$u2" 'BEGIN { exit !(b - a >= 4.5) }'
}
for t in CPUINFO TMPFS UPTIME; do
	if $t; then echo "LINUX-GUEST-$t ok"; else echo "LINUX-GUEST-$t FAIL"; fi
done
echo "LINUX-GUEST-DONE"
poweroff -f
sleep 10
INIT
chmod 0755 "$stage/init"

(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) | gzip -1 >"$out"
