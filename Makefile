# SPDX-License-Identifier: GPL-2.0-or-later
# bootseed: build, test, demo, install.
#
#   make                 build/bootseed (static by default; STATIC=0 for a shared build)
#   make check           install test dependencies (apt-get), build, run every test
#   make demo            boot the Debian kernel under QEMU with a saved seed and show it
#   make install         DESTDIR, PREFIX, SBINDIR, SYSCONFDIR, MANDIR may be set

PREFIX     ?= /usr/local
SBINDIR    ?= $(PREFIX)/sbin
MANDIR     ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
DESTDIR    ?=

CC      ?= cc
CFLAGS  ?= -O2 -g
# Debian ships libkmod and libtss2 only as shared libraries; the static build
# needs archives built from their source packages (an open issue), so the
# default is a shared build for now.
STATIC  ?= 0
PKGS     = libkmod tss2-sys tss2-mu tss2-tcti-device
LIBS    ?= $(shell pkg-config --libs $(PKGS))
WARN     = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wformat=2 -Wno-unused-parameter -Werror=implicit-function-declaration
CPPFLAGS += -D_GNU_SOURCE
ifeq ($(STATIC),1)
LDSTATIC = -static
endif

B        = build
SRCS     = $(wildcard src/*.c)
LIBSRCS  = $(filter-out src/main.c,$(SRCS))
HDRS     = $(wildcard src/*.h)
OBJS     = $(SRCS:src/%.c=$(B)/obj/%.o)
# The test build: the same sources with the test hooks (fake kernel paths, pool stand-in).
TOBJS    = $(SRCS:src/%.c=$(B)/tobj/%.o)
TLIBOBJS = $(LIBSRCS:src/%.c=$(B)/tobj/%.o)
UNITS    = $(patsubst tests/unit/%.c,$(B)/unit/%,$(filter-out tests/unit/unit.c,$(wildcard tests/unit/test_*.c)))

all: $(B)/bootseed

$(B)/obj/%.o: src/%.c $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -c -o $@ $<

$(B)/tobj/%.o: src/%.c $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -DBOOTSEED_TEST_HOOKS $(CFLAGS) $(WARN) -c -o $@ $<

$(B)/bootseed: $(OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) $(LDSTATIC) -o $@ $^ $(LIBS)

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
	tests/run.sh

demo: deps
	$(MAKE) all
	tests/boot/demo.sh

install: $(B)/bootseed
	install -D -m 0755 $(B)/bootseed $(DESTDIR)$(SBINDIR)/bootseed
	install -D -m 0644 bootseed.conf $(DESTDIR)$(SYSCONFDIR)/bootseed.conf
	install -D -m 0644 man/bootseed.8 $(DESTDIR)$(MANDIR)/man8/bootseed.8
	install -D -m 0644 man/bootseed.conf.5 $(DESTDIR)$(MANDIR)/man5/bootseed.conf.5

format:
	clang-format -i src/*.c src/*.h tests/unit/*.c tests/unit/*.h

clean:
	rm -rf $(B)/obj $(B)/tobj $(B)/unit $(B)/test $(B)/bootseed

# Also drops the cached kernels and images.
distclean:
	rm -rf $(B)

.PHONY: all check demo deps install format clean distclean test-build

include mk/tests.mk
