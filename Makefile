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

.PHONY: all build demo check unit-asan fuzz fuzz-long clean

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

check:
	tools/deps.sh check
	$(MAKE) --no-print-directory build
	meson test -C $(BUILD) --print-errorlogs
	$(MAKE) --no-print-directory unit-asan
	$(MAKE) --no-print-directory fuzz

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
