# SPDX-License-Identifier: GPL-2.0
#
# Top-level build glue for svmhv: the module (through kbuild and the
# top-level Kbuild file), vmctl and the selftests (their own makefiles),
# a helper for the tests, and the targets that test all of it in QEMU.
# The kernel built against is Debian's test kernel from scripts/kver.sh,
# never the build machine's own (`uname -r`); override with KVER= or KDIR=.
#
#   make [all]       module + vmctl + selftests + helpers
#   make check       install missing packages, build, boot the emulated
#                    EPYC and run every test (scripts/check.sh)
#   make check-hostlife  one short boot of the same machine: suspend/resume
#                    and `reboot -f` with a guest running (scripts/hostlife.sh;
#                    make check runs it too)
#   make check-debug the same on a debug kernel (KASAN, lockdep, kmemleak,
#                    UBSAN, KFENCE) built once into build/debug-kernel/
#                    (scripts/check-debug.sh); not part of make check
#   make run         same machine, runs tools/vmctl/guests/hello.bin
#   make shell       same machine, a shell on its console
#   make lint        W=1 and sparse (C=2) builds, checkpatch --strict,
#                    shellcheck
#   make bench       svmhv against Debian's kvm_amd in one emulated boot,
#                    vmctl against QEMU booting Linux, an idle guest's
#                    exits (bench/run-emulated.sh); make bench-hw: the
#                    exit paths on a real AMD host, no QEMU (bench/run-hw.sh,
#                    root)
#   make clean
#
# vmctl and the selftests are linked statically (STATIC=1): the test
# initramfs has no C library.

ifeq ($(origin KVER),undefined)
KVER := $(shell $(CURDIR)/scripts/kver.sh 2>/dev/null)
endif
KDIR ?= /lib/modules/$(KVER)/build
STATIC ?= 1
BUILD := $(CURDIR)/build
KSFT_INC := $(BUILD)/kselftest
CHECKPATCH := $(BUILD)/kernel-scripts/checkpatch.pl

# Checks that cannot apply to an out-of-tree module checked with --no-tree.
CHECKPATCH_IGNORE := FILE_PATH_CHANGES
CHECKPATCH_FLAGS := --strict --no-tree --show-types --color=never --quiet \
	--ignore $(subst $(space),$(comma),$(CHECKPATCH_IGNORE))
LINT_SOURCES = $(sort $(shell find module uapi -name '*.[ch]' \
	! -name '*.mod.c' 2>/dev/null))
SHELL_SCRIPTS = $(wildcard scripts/*.sh bench/*.sh selftests/module_load.sh .ci/run)

empty :=
space := $(empty) $(empty)
comma := ,

.PHONY: install uninstall dkms-install dkms-remove
.PHONY: all module vmctl selftests helpers initramfs check check-hostlife check-debug run shell \
	lint lint-steps clean kselftest-headers require-kver require-kbuild \
	bench bench-hw

all: module vmctl selftests helpers

require-kver:
	@test -n "$(KVER)" || { echo "no test kernel found: run scripts/install-deps.sh" >&2; exit 1; }

# Without the top-level Kbuild, kbuild would read this Makefile instead.
require-kbuild: require-kver
	@test -f Kbuild || { echo "Kbuild missing: the module has no build file yet" >&2; exit 1; }

module: require-kbuild
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

vmctl:
	$(MAKE) -C tools/vmctl STATIC=$(STATIC)

kselftest-headers:
	@scripts/kselftest-headers.sh $(BUILD)

selftests: kselftest-headers
	$(MAKE) -C selftests KSFT_INC=$(KSFT_INC) STATIC=$(STATIC)

helpers: $(BUILD)/kvm-hold-vm $(BUILD)/run-as $(BUILD)/linux-guest-initrd.cpio.gz \
	 $(BUILD)/linux-guest-disk.ext4 $(BUILD)/linux-guest-rootfs.ext4

# The initramfs of the Linux guest that vmctl boots (make check, make run).
$(BUILD)/linux-guest-initrd.cpio.gz: tools/vmctl/tests/mk-linux-guest-initrd.sh
	@mkdir -p $(BUILD)
	tools/vmctl/tests/mk-linux-guest-initrd.sh $@

# The ext4 image the Linux guest mounts from vmctl --disk (linux_virtio_test.sh).
$(BUILD)/linux-guest-disk.ext4: tools/vmctl/tests/mk-linux-guest-disk.sh
	@mkdir -p $(BUILD)
	tools/vmctl/tests/mk-linux-guest-disk.sh $@

# The root disk a Linux guest boots from (root=/dev/vda, linux_rootdisk_test.sh).
$(BUILD)/linux-guest-rootfs.ext4: tools/vmctl/tests/mk-linux-guest-rootfs.sh
	@mkdir -p $(BUILD)
	tools/vmctl/tests/mk-linux-guest-rootfs.sh $@

$(BUILD)/run-as: scripts/run-as.c
	@mkdir -p $(BUILD)
	$(CC) -O2 -Wall -Wextra -Werror -static -o $@ $<

$(BUILD)/kvm-hold-vm: scripts/kvm-hold-vm.c
	@mkdir -p $(BUILD)
	$(CC) -O2 -Wall -Wextra -static -o $@ $<

initramfs: all
	scripts/mkinitramfs.sh check

check:
	scripts/install-deps.sh
	scripts/check.sh

check-hostlife:
	scripts/install-deps.sh
	scripts/hostlife.sh

# Not part of `make check`: the first run builds a kernel (docs/testing.md).
check-debug:
	scripts/install-deps.sh
	scripts/check-debug.sh

run:
	scripts/install-deps.sh
	$(MAKE) all
	scripts/mkinitramfs.sh run
	scripts/run-vm.sh run

shell:
	scripts/install-deps.sh
	$(MAKE) all
	scripts/mkinitramfs.sh shell
	scripts/run-vm.sh shell

# Not part of `make check` or `all`: the benchmark takes minutes.
bench:
	bench/run-emulated.sh

bench-hw:
	bench/run-hw.sh

# `make lint` installs shellcheck, then runs lint-steps in a new make so
# that KVER is found even on a machine that had no kernel before.  Any
# diagnostic in the W=1 or sparse build fails lint; their output is kept
# in build/lint-w1.log and build/lint-sparse.log.
lint:
	scripts/install-deps.sh shellcheck
	$(MAKE) lint-steps

lint-steps: require-kbuild kselftest-headers
	@mkdir -p $(BUILD)
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean >/dev/null
	@$(call lint_build,W=1,$(BUILD)/lint-w1.log)
	@$(call lint_build,C=2,$(BUILD)/lint-sparse.log)
	@test -n "$(LINT_SOURCES)" || { echo "lint: no sources in module/ uapi/" >&2; exit 1; }
	$(CHECKPATCH) $(CHECKPATCH_FLAGS) -f $(LINT_SOURCES)
	shellcheck $(SHELL_SCRIPTS)

# lint_build FLAGS LOG: kbuild with FLAGS, failing on its status or on any
# warning or error line (modpost says WARNING:) in LOG.
define lint_build
	echo "  LINT    $(1)"; \
	$(MAKE) -C $(KDIR) M=$(CURDIR) $(1) modules >$(2) 2>&1; rc=$$?; \
	cat $(2); \
	if [ $$rc -ne 0 ]; then echo "lint: $(1) build failed" >&2; exit 1; fi; \
	if grep -qiE '(warning|error):' $(2); then \
		echo "lint: $(1) build reports problems (see $(2))" >&2; exit 1; fi
endef

# Installation on a host that runs guests (as root; DESTDIR for staging).
# `make install KVER=$(uname -r)` installs for the running kernel.
PREFIX ?= /usr/local
MODDIR := /lib/modules/$(KVER)/updates
UDEVDIR ?= /etc/udev/rules.d
DKMS_VERSION = $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)

install: module vmctl
	install -D -m 0644 module/svmhv.ko $(DESTDIR)$(MODDIR)/svmhv.ko
	install -D -m 0755 tools/vmctl/vmctl $(DESTDIR)$(PREFIX)/bin/vmctl
	install -D -m 0644 tools/vmctl/vmctl.1 \
		$(DESTDIR)$(PREFIX)/share/man/man1/vmctl.1
	install -D -m 0644 udev/60-svmhv.rules $(DESTDIR)$(UDEVDIR)/60-svmhv.rules
	@if [ -z "$(DESTDIR)" ]; then \
		getent group svmhv >/dev/null || groupadd --system svmhv; \
		depmod $(KVER); \
		udevadm control --reload-rules 2>/dev/null || true; \
		echo "installed: modprobe svmhv; add users to group svmhv"; \
	fi

uninstall:
	rm -f $(DESTDIR)$(MODDIR)/svmhv.ko $(DESTDIR)$(PREFIX)/bin/vmctl \
		$(DESTDIR)$(PREFIX)/share/man/man1/vmctl.1 \
		$(DESTDIR)$(UDEVDIR)/60-svmhv.rules
	@if [ -z "$(DESTDIR)" ]; then depmod $(KVER); fi

# DKMS rebuilds the module for every kernel Debian installs (AUTOINSTALL).
dkms-install:
	rm -rf /usr/src/svmhv-$(DKMS_VERSION)
	mkdir -p /usr/src/svmhv-$(DKMS_VERSION)
	git ls-files -z -- Kbuild dkms.conf module uapi | \
		xargs -0 cp --parents -t /usr/src/svmhv-$(DKMS_VERSION)
	dkms add -m svmhv -v $(DKMS_VERSION)
	dkms build -m svmhv -v $(DKMS_VERSION) -k $(KVER)
	dkms install -m svmhv -v $(DKMS_VERSION) -k $(KVER)

dkms-remove:
	dkms remove -m svmhv -v $(DKMS_VERSION) --all
	rm -rf /usr/src/svmhv-$(DKMS_VERSION)

clean:
	@if [ -n "$(KVER)" ] && [ -d "$(KDIR)" ] && [ -f Kbuild ]; then \
		$(MAKE) -C $(KDIR) M=$(CURDIR) clean; fi
	@if [ -f tools/vmctl/Makefile ]; then $(MAKE) -C tools/vmctl clean; fi
	@if [ -f selftests/Makefile ]; then $(MAKE) -C selftests clean; fi
	@if [ -f bench/Makefile ]; then $(MAKE) -C bench clean; fi
	rm -rf $(BUILD)
