# SPDX-License-Identifier: GPL-2.0-or-later
# Test-only build rules (sanitizer build, fuzzers), included by the Makefile.
