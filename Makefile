# posreader: the one entry point for people. Userspace is built by meson,
# the kernel module by Kbuild; this file only strings them together.
# README.md documents the targets.

BUILD        ?= build
ASAN_BUILD   ?= build-asan
FUZZ_BUILD   ?= build-fuzz
FUZZ_SECONDS ?= 20
FUZZ_LONG_SECONDS ?= 600

SANITIZE_ENV = ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

.PHONY: all build demo test check unit-asan fuzz fuzz-long clean bench

all: build

$(BUILD)/build.ninja:
	meson setup $(BUILD)

build:
	tools/deps.sh build
	$(MAKE) --no-print-directory $(BUILD)/build.ninja
	meson compile -C $(BUILD)

demo:
	tools/deps.sh demo
	$(MAKE) --no-print-directory build
	tools/demo.sh $(BUILD)

$(ASAN_BUILD)/build.ninja:
	meson setup $(ASAN_BUILD) -Db_sanitize=address,undefined \
		-Db_lundef=false -Dc_args=-fno-sanitize-recover=all

# Unit tests once more under AddressSanitizer and UBSan.
unit-asan:
	tools/deps.sh build
	$(MAKE) --no-print-directory $(ASAN_BUILD)/build.ninja
	meson compile -C $(ASAN_BUILD)
	$(SANITIZE_ENV) meson test -C $(ASAN_BUILD) --suite unit --print-errorlogs

$(FUZZ_BUILD)/build.ninja:
	CC=clang meson setup $(FUZZ_BUILD) -Dfuzz=true \
		-Db_sanitize=address,undefined -Db_lundef=false

fuzz:
	tools/deps.sh build fuzz
	$(MAKE) --no-print-directory $(FUZZ_BUILD)/build.ninja
	meson compile -C $(FUZZ_BUILD)
	tools/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

fuzz-long:
	$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(FUZZ_LONG_SECONDS)

# The meson suites: unit, integration (private dbus-daemon, simulator,
# emulated PN532) and packaging.
test: build
	meson test -C $(BUILD) --print-errorlogs

# Every test stage; tools/check.sh goes on after a failing stage and closes
# with one "check: N passed, N failed, N skipped" line.
check:
	tools/deps.sh check
	tools/check.sh test unit-asan fuzz vm-check vm-install-check

# posreaderd figures on the simulator, printed as one table (bench/).
bench:
	tools/deps.sh build demo
	$(MAKE) --no-print-directory build
	meson compile -C $(BUILD) bench

# posreader.ko, out of tree, against every installed amd64 kernel headers
# package (Debian 12's 6.1 and, when installed, the 6.12 backport), W=1
# and sparse, warnings fatal; then checkpatch --strict (tests/vm/).
VM_BUILD ?= build-vm

.PHONY: module vm-check

module:
	tools/deps.sh vm
	kernels=$$(tests/vm/kernels.sh) || exit 1; \
	for k in $$kernels; do \
		tests/vm/build-module.sh $$k $(VM_BUILD)/kmod-$$k || exit 1; \
	done
	tests/vm/checkpatch.sh

# The module in Debian's own kernel under QEMU, against the simulator as a
# USB gadget on dummy_hcd: the driver's scenarios, then posreaderd's
# integration tests over the kernel and the usb transport, plus a clean
# kernel log (about 6 minutes). VM_KERNEL=<version> picks another kernel.
vm-check: module
	BUILD_VM=$(VM_BUILD) tests/vm/run.sh $(if $(VM_KERNEL),--kernel $(VM_KERNEL))

# The same with the simulator and the test programs under ASan and UBSan
# (leaks are checked when the simulator exits).
VM_ASAN_BUILD ?= build-vm-asan

.PHONY: vm-check-asan

$(VM_ASAN_BUILD)/build.ninja:
	meson setup $(VM_ASAN_BUILD) -Db_sanitize=address,undefined \
		-Db_lundef=false -Dc_args=-fno-sanitize-recover=all

vm-check-asan: module
	$(MAKE) --no-print-directory $(VM_ASAN_BUILD)/build.ninja
	BUILD_VM=$(VM_ASAN_BUILD) tests/vm/run.sh $(if $(VM_KERNEL),--kernel $(VM_KERNEL))

# Debian packages (packaging/debian) into $(DEB_OUT), checked by lintian;
# deb-check also builds the DKMS package's module with DKMS for every
# installed kernel headers package (6.1 and 6.12) and builds a program
# against posreader-dev. docs/install.md.
DEB_OUT ?= build-pkg/deb

.PHONY: deb deb-check

deb:
	tools/deps.sh deb
	packaging/build-deb.sh $(DEB_OUT)

deb-check: deb
	tools/deps.sh dkms
	packaging/tests/dkms-build.sh $(DEB_OUT)/posreader-dkms_*_all.deb
	packaging/tests/dev-package.sh $(DEB_OUT)/posreader-dev_*_all.deb

# The packages installed with apt into a debootstrapped Debian 12 root,
# booted under QEMU with systemd: reader hotplug, device permissions,
# service activation and sandbox, removal, once per kernel series; about
# 6 minutes, 9 the first time (the debootstrapped root is cached).
.PHONY: vm-install-check

vm-install-check: deb-check
	tools/deps.sh vm-install
	packaging/tests/vm-install/run.sh $(DEB_OUT) build-pkg/vm-install

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
	rm -rf $(VM_BUILD) $(VM_ASAN_BUILD)
