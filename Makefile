# SPDX-License-Identifier: GPL-2.0-or-later
# bootseed: build, test, demo, install.
#
#   make                 build/bootseed (static by default; STATIC=0 for a shared build)
#   make ARCH=arm64      build/arm64/bootseed: the same static binary for aarch64, cross-built
#   make check           install test dependencies (apt-get), build, run every test
#   make demo            boot the Debian kernel under QEMU with a saved seed and show it
#   make size            bench/size.txt: the static binary's size and where it goes
#   make deps            install the build and test dependencies (apt-get, as root)
#   make deb             build/deb/bootseed_VERSION_ARCH.deb (dpkg-buildpackage, debian/);
#                        DEB_VERSION=V builds the same source as version V
#   make install         DESTDIR, PREFIX, SBINDIR, SYSCONFDIR, MANDIR, DRACUTDIR,
#                        INITRAMFSTOOLSDIR, SYSTEMDUNITDIR may be set

PREFIX     ?= /usr/local
SBINDIR    ?= $(PREFIX)/sbin
MANDIR     ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
# Where dracut, initramfs-tools and systemd look, whatever PREFIX is.
DRACUTDIR         ?= /usr/lib/dracut/modules.d
INITRAMFSTOOLSDIR ?= /usr/share/initramfs-tools
SYSTEMDUNITDIR    ?= /usr/lib/systemd/system
DESTDIR    ?=

CC      ?= cc
CFLAGS  ?= -O2 -g
# The shipped binary: static, musl, stripped, within SIZE_BUDGET bytes
# (tests/component/test_size.sh). Its libkmod and tpm2-tss are static archives
# that build-aux/third-party.sh builds once from Debian's source packages into
# build/third_party. STATIC=0 builds it against the system's shared libraries
# (glibc) instead, with CC and CFLAGS, as the test build always is.
STATIC  ?= 1
PKGS     = libkmod tss2-mu tss2-tcti-device
LIBS    ?= $(shell pkg-config --libs $(PKGS))
WARN     = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wformat=2 -Wno-unused-parameter -Werror=implicit-function-declaration
CPPFLAGS += -D_GNU_SOURCE

MUSL_CC       ?= musl-gcc
# For the libraries and bootseed alike: size first, whole-program (LTO).
SIZE_CFLAGS   ?= -Os -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables -flto
STATIC_LDFLAGS = -static -s -Wl,--gc-sections -Wl,-z,noseparate-code \
                 -Wl,--build-id=none -Wl,-z,norelro -flto=auto
STATIC_LIBS    = -lkmod -ltss2-tcti-device -ltss2-mu
SIZE_BUDGET    = 131072

B        = build
# ARCH=arm64: the shipped binary for aarch64, cross-compiled with Debian's
# gcc-aarch64-linux-gnu and multiarch musl-dev:arm64 (its aarch64-linux-musl-gcc
# wrapper), its libraries built from the same pinned sources, all in build/arm64.
# Only the static binary (and install): tests run natively, the arm64 layer boots it.
ARCH    ?=
ifneq ($(filter arm64 aarch64,$(ARCH)),)
ifneq ($(STATIC),1)
$(error ARCH=$(ARCH) builds only the static binary (STATIC=1))
endif
B        = build/arm64
MUSL_CC  = aarch64-linux-musl-gcc
# aarch64 gcc makes (synchronous) unwind tables by default: 7.5 KB of .eh_frame.
SIZE_CFLAGS += -fno-unwind-tables
# aarch64's 64 KiB max page size: with the default common page size (4 KiB)
# the data segment starts at the next 4 KiB of the file, up to 4 KB of padding
# (1.7 KB here). p_offset and p_vaddr stay congruent modulo 64 KiB, so the
# kernel maps it the same; the page between the segments is mapped twice.
STATIC_LDFLAGS += -Wl,-z,common-page-size=64
TP_ENV   = TP_HOST=aarch64-linux-musl TP_CROSS=aarch64-linux-gnu-
else ifneq ($(filter-out x86_64 amd64,$(ARCH)),)
$(error ARCH=$(ARCH): only arm64 (cross) or the native build)
endif
TP       = $(B)/third_party
SRCS     = $(wildcard src/*.c)
LIBSRCS  = $(filter-out src/main.c,$(SRCS))
HDRS     = $(wildcard src/*.h)
# The test build: the same sources with the test hooks (fake kernel paths, pool stand-in).
TOBJS    = $(SRCS:src/%.c=$(B)/tobj/%.o)
TLIBOBJS = $(LIBSRCS:src/%.c=$(B)/tobj/%.o)
UNITS    = $(patsubst tests/unit/%.c,$(B)/unit/%,$(filter-out tests/unit/unit.c,$(wildcard tests/unit/test_*.c)))

# write-if-changed FILE,TEXT: FILE's time changes only when TEXT does, so a
# change of flags or of STATIC rebuilds what depends on FILE, and nothing else.
write-if-changed = $(shell mkdir -p $(dir $(1)) && \
	{ printf '%s\n' '$(2)' | cmp -s - $(1) || printf '%s\n' '$(2)' >$(1); })

ifeq ($(STATIC),1)
OBJDIR   = $(B)/obj
# Small stand-ins for musl's fnmatch and malloc (see their headers).
COMPAT   = $(patsubst build-aux/musl-compat/%.c,$(OBJDIR)/compat-%.o,$(wildcard build-aux/musl-compat/*.c))
BS_CC    = $(MUSL_CC)
BS_CFLAGS = $(SIZE_CFLAGS) -isystem $(TP)/musl/include
BS_LINK  = $(BS_CC) $(SIZE_CFLAGS) $(STATIC_LDFLAGS) -L$(TP)/musl/lib
BS_LIBS  = $(STATIC_LIBS)
TP_STAMP = $(TP)/.ok
else
OBJDIR   = $(B)/obj-shared
COMPAT   =
BS_CC    = $(CC)
BS_CFLAGS = $(CFLAGS)
BS_LINK  = $(CC) $(CFLAGS) $(LDFLAGS)
BS_LIBS  = $(LIBS)
TP_STAMP =
endif
OBJS     = $(SRCS:src/%.c=$(OBJDIR)/%.o)
$(call write-if-changed,$(OBJDIR)/.flags,$(BS_CC) $(CPPFLAGS) $(BS_CFLAGS))
$(call write-if-changed,$(B)/.link,$(STATIC) $(BS_LINK) $(BS_LIBS))

all: $(B)/bootseed

$(OBJDIR)/%.o: src/%.c $(HDRS) $(OBJDIR)/.flags $(TP_STAMP)
	@mkdir -p $(@D)
	$(BS_CC) $(CPPFLAGS) $(BS_CFLAGS) $(WARN) -c -o $@ $<

$(OBJDIR)/compat-%.o: build-aux/musl-compat/%.c $(OBJDIR)/.flags
	$(BS_CC) $(CPPFLAGS) $(BS_CFLAGS) $(WARN) -c -o $@ $<

$(B)/tobj/%.o: src/%.c $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -DBOOTSEED_TEST_HOOKS $(CFLAGS) $(WARN) -c -o $@ $<

$(B)/bootseed: $(OBJS) $(COMPAT) $(B)/.link $(TP_STAMP)
	$(BS_LINK) -o $@ $(OBJS) $(COMPAT) $(BS_LIBS)
ifeq ($(STATIC),1)
	@echo "bootseed: $$(stat -c %s $@) bytes, static (musl), budget $(SIZE_BUDGET)"
endif

# The static archives (build-aux/third-party.sh): once, then only when its pins,
# flags or patches change. Needs musl-tools and autotools ('make deps').
$(TP_STAMP): build-aux/third-party.sh $(wildcard build-aux/patches/*.patch) $(OBJDIR)/.flags
	MUSL_CC='$(MUSL_CC)' TP_CFLAGS='$(SIZE_CFLAGS)' $(TP_ENV) build-aux/third-party.sh $(TP)
	@touch $@

third-party: $(TP)/.ok

# bench/size.txt: the shipped binary's size and where its bytes go.
size: $(B)/bootseed
	bench/size.sh

$(B)/test/bootseed: $(TOBJS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

$(B)/unit/%: tests/unit/%.c tests/unit/unit.h $(TLIBOBJS) $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -DBOOTSEED_TEST_HOOKS $(CFLAGS) $(WARN) -Isrc -o $@ $< $(TLIBOBJS) $(LIBS)

test-build: $(B)/bootseed $(B)/test/bootseed $(UNITS)

deps:
	tests/install-deps.sh

check: deps
	$(MAKE) test-build
	$(MAKE) deb
	tests/run.sh

demo: deps
	$(MAKE) all
	tests/boot/demo.sh

# Side-by-side boots under QEMU (27–29 min here; bench/README.md): bench/results.md.
bench: deps
	$(MAKE) all
	bench/run.sh

# The Debian package: build-aux/deb.sh builds a copy of the tree with
# dpkg-buildpackage, carrying build/bootseed and its objects along (the
# package ships the binary built here). Rebuilt only when something that
# goes into it changes.
DEB_OUT     ?= $(B)/deb
DEB_VERSION ?= $(shell dpkg-parsechangelog -S Version 2>/dev/null)
DEB_FILE     = $(DEB_OUT)/bootseed_$(DEB_VERSION)_$(shell dpkg --print-architecture 2>/dev/null).deb
DEB_INPUTS   = $(shell find debian src man dracut-module initramfs-tools-hook systemd build-aux -type f) \
               bootseed.conf README.md Makefile

deb: $(DEB_FILE)

$(DEB_FILE): $(B)/bootseed $(DEB_INPUTS)
	build-aux/deb.sh $(DEB_OUT) $(DEB_VERSION)

install: $(B)/bootseed
	install -D -m 0755 $(B)/bootseed $(DESTDIR)$(SBINDIR)/bootseed
	@# An existing configuration is the administrator's: never overwritten.
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/bootseed.conf ]; then \
		echo "install: keeping $(DESTDIR)$(SYSCONFDIR)/bootseed.conf (the new default is bootseed.conf)"; \
	else \
		echo "install -D -m 0644 bootseed.conf $(DESTDIR)$(SYSCONFDIR)/bootseed.conf"; \
		install -D -m 0644 bootseed.conf $(DESTDIR)$(SYSCONFDIR)/bootseed.conf; \
	fi
	install -D -m 0644 man/bootseed.8 $(DESTDIR)$(MANDIR)/man8/bootseed.8
	install -D -m 0644 man/bootseed.conf.5 $(DESTDIR)$(MANDIR)/man5/bootseed.conf.5
	@# The boot integration; it regenerates nothing: run update-initramfs -u
	@# or dracut -f afterwards (README, "Installing").
	install -d $(DESTDIR)$(DRACUTDIR)/50bootseed $(DESTDIR)$(INITRAMFSTOOLSDIR)/hooks \
		$(DESTDIR)$(INITRAMFSTOOLSDIR)/scripts/init-premount \
		$(DESTDIR)$(INITRAMFSTOOLSDIR)/scripts/local-bottom $(DESTDIR)$(SYSTEMDUNITDIR)
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		dracut-module/module-setup.sh >$(DESTDIR)$(DRACUTDIR)/50bootseed/module-setup.sh
	chmod 0755 $(DESTDIR)$(DRACUTDIR)/50bootseed/module-setup.sh
	install -m 0755 dracut-module/bootseed-early.sh dracut-module/bootseed-late.sh \
		$(DESTDIR)$(DRACUTDIR)/50bootseed/
	install -m 0644 dracut-module/bootseed-early.service dracut-module/bootseed-late.service \
		dracut-module/bootseed-fsck.conf $(DESTDIR)$(DRACUTDIR)/50bootseed/
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		initramfs-tools-hook/hooks/bootseed >$(DESTDIR)$(INITRAMFSTOOLSDIR)/hooks/bootseed
	chmod 0755 $(DESTDIR)$(INITRAMFSTOOLSDIR)/hooks/bootseed
	install -m 0755 initramfs-tools-hook/scripts/init-premount/bootseed \
		$(DESTDIR)$(INITRAMFSTOOLSDIR)/scripts/init-premount/bootseed
	install -m 0755 initramfs-tools-hook/scripts/local-bottom/bootseed \
		$(DESTDIR)$(INITRAMFSTOOLSDIR)/scripts/local-bottom/bootseed
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' systemd/bootseed.service \
		>$(DESTDIR)$(SYSTEMDUNITDIR)/bootseed.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/bootseed.service

format:
	clang-format -i src/*.c src/*.h tests/unit/*.c tests/unit/*.h

# Keeps build/third_party (the static archives); distclean drops them too.
clean:
	rm -rf $(B)/obj $(B)/obj-shared $(B)/tobj $(B)/unit $(B)/test $(B)/bootseed $(B)/.link

# Also drops the third-party archives, the cached kernels and images.
distclean:
	rm -rf $(B)

.PHONY: all check demo bench deps deb install format clean distclean test-build third-party size

include mk/tests.mk
