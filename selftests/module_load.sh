#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Load and unload behaviour of svmhv.ko, run inside the test VM by
# scripts/guest-init.sh before anything else has loaded the module:
#   - insmod creates /dev/svmhv, a character device for root only (0600);
#   - rmmod removes it, and is refused while any process holds it open;
#   - insmod is refused with EBUSY, and says why in the kernel log, while
#     another hypervisor (Debian's kvm_amd, holding a VM) owns SVM: only
#     one hypervisor can own EFER.SVME and VM_HSAVE_PA on a CPU;
#   - once kvm_amd is gone, svmhv loads again.
# Leaves svmhv unloaded.  Output is TAP 13 ending in kselftest's "# Totals:"
# line; exit status 1 if any test failed.
# Needs: busybox (insmod, rmmod, dmesg, stat, od, dd), /kvm/*.ko with
# /kvm/load-order and kvm-hold-vm (scripts/mkinitramfs.sh puts them there;
# without them the kvm tests are skipped), /modules/msr.ko to read EFER.
# No `set -e`: a failed check must not stop the tests after it.
set -u

KO=${SVMHV_KO:-/svmhv/svmhv.ko}
KVM_DIR=${SVMHV_KVM_DIR:-/kvm}
MSR_KO=${SVMHV_MSR_KO:-/modules/msr.ko}
TMP=$(mktemp -d)

n=0 pass=0 fail=0 skip=0

ok() {		# ok NAME
	n=$((n + 1)); pass=$((pass + 1))
	echo "ok $n $1"
}
not_ok() {	# not_ok NAME [DIAGNOSTIC...]
	n=$((n + 1)); fail=$((fail + 1))
	echo "not ok $n $1"
	shift
	for line in "$@"; do
		printf '%s\n' "$line" | sed 's/^/# /'
	done
}
skip() {	# skip NAME REASON
	n=$((n + 1)); skip=$((skip + 1))
	echo "ok $n $1 # SKIP $2"
}

loaded() {
	grep -q '^svmhv ' /proc/modules
}
unload() {	# make sure svmhv is not loaded; 1 if that fails
	! loaded || rmmod svmhv 2>/dev/null
}
wait_for() {	# wait_for TENTHS TEST...: poll until TEST succeeds
	tries=$1
	shift
	while ! "$@"; do
		tries=$((tries - 1))
		[ "$tries" -gt 0 ] || return 1
		sleep 0.1
	done
}
dmesg_lines() {
	dmesg | wc -l
}

# EFER of CPU $1 in hex, through the msr driver; empty if unreadable.
efer() {
	dd if="/dev/cpu/$1/msr" bs=8 count=1 skip=$((0xc0000080 / 8)) 2>/dev/null |
		od -An -tx8 | tr -d ' '
}
svme_on_all_cpus() {	# 0 if EFER.SVME (bit 12) is set on every online CPU
	for cpu in /dev/cpu/[0-9]*; do
		value=$(efer "${cpu#/dev/cpu/}")
		[ -n "$value" ] || return 1
		[ $((0x$value & 0x1000)) -ne 0 ] || return 1
	done
}

echo "TAP version 13"
echo "1..12"

if loaded; then
	echo "# svmhv was already loaded; unloading it first"
	unload || echo "# rmmod svmhv failed"
fi

# 1-3: load, device node, unload.
if out=$(insmod "$KO" 2>&1) && loaded; then
	ok insmod_svmhv_succeeds
else
	not_ok insmod_svmhv_succeeds "insmod $KO: $out" "$(dmesg | tail -n 10)"
fi

if ! loaded; then
	skip dev_svmhv_is_char_device_for_root_only "svmhv did not load"
elif ! wait_for 20 test -e /dev/svmhv; then
	not_ok dev_svmhv_is_char_device_for_root_only "/dev/svmhv did not appear"
else
	perm=$(stat -c '%a %u %g' /dev/svmhv)
	if [ -c /dev/svmhv ] && [ "$perm" = "600 0 0" ]; then
		ok dev_svmhv_is_char_device_for_root_only
	else
		not_ok dev_svmhv_is_char_device_for_root_only \
			"want a char device, mode 600 uid 0 gid 0; have:" \
			"$(ls -l /dev/svmhv)"
	fi
fi

if ! loaded; then
	skip rmmod_svmhv_removes_dev_svmhv "svmhv did not load"
elif out=$(rmmod svmhv 2>&1) && ! loaded && wait_for 20 test ! -e /dev/svmhv; then
	ok rmmod_svmhv_removes_dev_svmhv
else
	not_ok rmmod_svmhv_removes_dev_svmhv "rmmod svmhv: $out" \
		"$(grep '^svmhv ' /proc/modules)" "$(ls -l /dev/svmhv 2>&1)"
fi

# 4-5: an open /dev/svmhv pins the module.
unload
holder=
if ! out=$(insmod "$KO" 2>&1); then
	not_ok rmmod_refused_while_dev_svmhv_open "insmod $KO: $out"
else
	wait_for 20 test -e /dev/svmhv
	# The holder opens /dev/svmhv read-write on fd 3, says so, then
	# sleeps with the fd open until killed.
	sh -c 'exec 3<>/dev/svmhv || exit 1; echo open >"$1/held"; exec sleep 600' \
		sh "$TMP" &
	holder=$!
	if ! wait_for 50 test -e "$TMP/held"; then
		not_ok rmmod_refused_while_dev_svmhv_open \
			"could not open /dev/svmhv read-write"
	elif out=$(rmmod svmhv 2>&1); then
		not_ok rmmod_refused_while_dev_svmhv_open \
			"rmmod succeeded while /dev/svmhv was open" \
			"(does svmhv's file_operations set .owner = THIS_MODULE?)"
	elif loaded && [ -c /dev/svmhv ]; then
		ok rmmod_refused_while_dev_svmhv_open
		echo "# rmmod said: $out"
	else
		not_ok rmmod_refused_while_dev_svmhv_open \
			"rmmod failed but svmhv or /dev/svmhv is gone: $out"
	fi
fi

if [ -n "$holder" ]; then
	kill "$holder" 2>/dev/null
	wait "$holder" 2>/dev/null
fi
if ! loaded; then
	skip rmmod_succeeds_after_last_close "svmhv not loaded"
elif out=$(rmmod svmhv 2>&1) && ! loaded; then
	ok rmmod_succeeds_after_last_close
else
	not_ok rmmod_succeeds_after_last_close "rmmod svmhv: $out"
fi

# 6-10: another hypervisor owning SVM.
unload
kvm_mods=
if [ -r "$KVM_DIR/load-order" ]; then
	kvm_mods=$(cat "$KVM_DIR/load-order")
fi
[ -e "$MSR_KO" ] && ! grep -q '^msr ' /proc/modules && insmod "$MSR_KO" 2>/dev/null

hold=
if [ -z "$kvm_mods" ] || ! command -v kvm-hold-vm >/dev/null; then
	reason="no $KVM_DIR/load-order or kvm-hold-vm in this initramfs"
	skip kvm_amd_owns_svm_while_it_has_a_vm "$reason"
	skip insmod_svmhv_refused_with_ebusy_while_kvm_owns_svm "$reason"
	skip svmhv_refusal_explained_in_kernel_log "$reason"
	skip insmod_svmhv_succeeds_after_kvm_amd_unloaded "$reason"
	skip rmmod_svmhv_after_kvm_amd_unloaded "$reason"
else
	diag=
	for ko in $kvm_mods; do
		name=$(basename "$ko" .ko | tr - _)
		grep -q "^$name " /proc/modules && continue
		out=$(insmod "$KVM_DIR/$ko" 2>&1) || diag="$diag insmod $ko: $out;"
	done
	# KVM on PREEMPT_RT refuses CPUs without an invariant TSC, and QEMU's
	# TCG cannot offer one: nobody can own SVM then, so there is nothing
	# to be refused by.  Any other reason kvm_amd fails to load (SVM left
	# enabled by svmhv, say) stays a failure.
	kvm_refusal=$(dmesg | grep -o 'kvm: RT requires X86_FEATURE_CONSTANT_TSC' |
		tail -n 1)
	if ! grep -q '^kvm_amd ' /proc/modules && [ -n "$kvm_refusal" ]; then
		reason="kvm_amd cannot load on this kernel and CPU ($kvm_refusal)"
		skip kvm_amd_owns_svm_while_it_has_a_vm "$reason"
		skip insmod_svmhv_refused_with_ebusy_while_kvm_owns_svm "$reason"
		skip svmhv_refusal_explained_in_kernel_log "$reason"
	else
		kvm_owner_tests=yes
	fi
fi
if [ -n "${kvm_owner_tests:-}" ]; then
	kvm-hold-vm >"$TMP/hold" 2>&1 &
	hold=$!
	if ! wait_for 100 grep -q ready "$TMP/hold"; then
		not_ok kvm_amd_owns_svm_while_it_has_a_vm "$diag" \
			"kvm-hold-vm: $(cat "$TMP/hold")" "$(dmesg | tail -n 10)"
	elif [ ! -e /dev/cpu/0/msr ]; then
		ok kvm_amd_owns_svm_while_it_has_a_vm
		echo "# EFER not checked: no /dev/cpu/0/msr"
	elif svme_on_all_cpus; then
		ok kvm_amd_owns_svm_while_it_has_a_vm
	else
		not_ok kvm_amd_owns_svm_while_it_has_a_vm \
			"a KVM VM exists but EFER.SVME is clear: EFER of cpu0 = $(efer 0)"
	fi

	before=$(dmesg_lines)
	if out=$(insmod "$KO" 2>&1); then
		not_ok insmod_svmhv_refused_with_ebusy_while_kvm_owns_svm \
			"insmod succeeded while kvm_amd owns SVM"
		unload
	elif printf '%s' "$out" | grep -q 'Device or resource busy'; then
		ok insmod_svmhv_refused_with_ebusy_while_kvm_owns_svm
		echo "# insmod said: $out"
	else
		not_ok insmod_svmhv_refused_with_ebusy_while_kvm_owns_svm \
			"want EBUSY (Device or resource busy), insmod said: $out"
	fi

	# The module's own words naming the cause (SVME set, SVM in use or
	# owned by another hypervisor), not the kernel's taint notices.
	new=$(dmesg | tail -n +"$((before + 1))" | grep 'svmhv' |
		grep -v -e 'module verification failed' -e 'taints kernel')
	why=$(printf '%s\n' "$new" | grep -i -e 'svme' -e 'in use' -e 'owns' \
		-e 'another hypervisor' -e 'busy')
	if [ -n "$why" ]; then
		ok svmhv_refusal_explained_in_kernel_log
		printf '%s\n' "$why" | sed 's/^/# /'
	else
		not_ok svmhv_refusal_explained_in_kernel_log \
			"no svmhv line naming the cause (SVME / in use / owns /" \
			"another hypervisor / busy) after the refused insmod; new svmhv lines:" \
			"$new"
	fi

	kill "$hold" 2>/dev/null
	wait "$hold" 2>/dev/null
fi
if [ -n "$kvm_mods" ] && command -v kvm-hold-vm >/dev/null; then
	diag=
	reversed=
	for ko in $kvm_mods; do
		reversed="$ko $reversed"
	done
	for ko in $reversed; do
		name=$(basename "$ko" .ko | tr - _)
		out=$(rmmod "$name" 2>&1) || diag="$diag rmmod $name: $out;"
	done
	if out=$(insmod "$KO" 2>&1) && loaded; then
		ok insmod_svmhv_succeeds_after_kvm_amd_unloaded
	else
		not_ok insmod_svmhv_succeeds_after_kvm_amd_unloaded \
			"insmod $KO: $out" "$diag" "$(dmesg | tail -n 5)"
	fi

	if ! loaded; then
		skip rmmod_svmhv_after_kvm_amd_unloaded "svmhv not loaded"
	elif out=$(rmmod svmhv 2>&1) && ! loaded; then
		ok rmmod_svmhv_after_kvm_amd_unloaded
	else
		not_ok rmmod_svmhv_after_kvm_amd_unloaded "rmmod svmhv: $out"
	fi
fi

# 11-12: the module as DKMS builds, signs and installs it
# (scripts/dkms-build.sh, in make check).
DKMS_KO=${DKMS_KO:-$(dirname "$KO")/svmhv-dkms.ko}
unload
if [ ! -e "$DKMS_KO" ]; then
	skip dkms_built_module_is_signed "no DKMS build at $DKMS_KO"
	skip dkms_built_module_loads_and_runs_a_guest "no DKMS build at $DKMS_KO"
else
	# sign-file appends its magic string after the signature.
	if [ "$(tail -c 28 "$DKMS_KO")" = "~Module signature appended~" ]; then
		ok dkms_built_module_is_signed
	else
		not_ok dkms_built_module_is_signed "$DKMS_KO has no module signature"
	fi
	hello=${SVMHV_GUESTS:-/guests}/hello.bin
	if ! out=$(insmod "$DKMS_KO" 2>&1) || ! loaded || [ ! -c /dev/svmhv ]; then
		not_ok dkms_built_module_loads_and_runs_a_guest \
			"insmod $DKMS_KO: $out" "$(dmesg | tail -n 5)"
	elif ! command -v vmctl >/dev/null || [ ! -e "$hello" ]; then
		ok dkms_built_module_loads_and_runs_a_guest
		echo "# loaded; no vmctl or $hello here to run a guest with"
	elif out=$(vmctl start "$hello" 2>&1) &&
	     [ "$out" = "Hello from a guest under svmhv!" ]; then
		ok dkms_built_module_loads_and_runs_a_guest
	else
		not_ok dkms_built_module_loads_and_runs_a_guest \
			"vmctl start $hello said: $out"
	fi
	unload
fi

unload
rm -rf "$TMP"
echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:$skip error:0"
[ "$fail" -eq 0 ]
