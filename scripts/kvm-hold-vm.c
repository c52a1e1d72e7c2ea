// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-hold-vm: create one KVM virtual machine and keep it until killed.
 *
 * selftests/module_load.sh uses it to make kvm_amd own SVM on the emulated
 * host: Debian 6.1's kvm_amd sets EFER.SVME (and VM_HSAVE_PA) on every CPU
 * only while at least one VM exists, so "another hypervisor owns SVM" needs
 * a live VM.  Prints "ready" on stdout once the VM exists.  Linked
 * statically: the test initramfs has no C library.
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(void)
{
	int kvm, vm;

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		perror("kvm-hold-vm: open /dev/kvm");
		return 1;
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) {
		perror("kvm-hold-vm: KVM_CREATE_VM");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}
