# SPDX-License-Identifier: GPL-2.0-or-later
# Test-only build rules (sanitizer build, fuzzers), included by the Makefile.
#
#   make sanitize-build   build/asan: the test binary and the unit tests with
#                         clang -fsanitize=address,undefined (a dynamic build);
#                         tests/run.sh's "sanitize" layer runs them
#   make fuzz-build       build/fuzz/fuzz_{config,cmdline,smbios,fwcfg} (libFuzzer + ASan + UBSan)
#   make fuzz             each fuzzer for FUZZ_SECONDS (default 600), in parallel,
#                         from a copy of tests/fuzz/corpus/<target>; new coverage
#                         (new edges only) is added to the checked-in corpus with
#                         FUZZ_MERGE=1. Logs and crashes in build/fuzz/run-<target>.
#   make fuzz-regress     every corpus input once (also run by make check)

SAN_CC      ?= clang
SAN_FLAGS    = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CC     ?= clang
FUZZ_FLAGS   = -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
               -fno-omit-frame-pointer
FUZZ_TARGETS = config cmdline smbios fwcfg
FUZZ_SECONDS ?= 600
FUZZ_MERGE  ?= 0
FUZZ_BINS    = $(FUZZ_TARGETS:%=build/fuzz/fuzz_%)

# A recursive make with its own build tree: the objects differ from build/.
sanitize-build:
	$(MAKE) B=build/asan CC=$(SAN_CC) STATIC=0 CFLAGS="-O1 -g $(SAN_FLAGS)" \
		LDFLAGS="$(SAN_FLAGS)" sanitize-targets

# Only meaningful inside the recursive make above (B=build/asan).
sanitize-targets: $(B)/test/bootseed $(UNITS)

# The host seed's parsers (src/hostparse.c) are linked into every fuzzer: they
# need nothing else, and one rule stays one rule.
build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h src/config.c src/fileio.c src/hostparse.c $(HDRS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) -O1 -g $(FUZZ_FLAGS) $(WARN) -Isrc -o $@ $< src/config.c src/fileio.c \
		src/hostparse.c

fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_MERGE=$(FUZZ_MERGE) tests/fuzz/run.sh long $(FUZZ_TARGETS)

fuzz-regress: fuzz-build
	tests/fuzz/run.sh regress $(FUZZ_TARGETS)

.PHONY: sanitize-build sanitize-targets fuzz fuzz-build fuzz-regress
