/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * jitter: the last resort. When every source of the last initramfs stage has
 * run and the crng is still not ready (no device, no creditable seed: a first
 * boot, a golden image, a device-less VM), a blocking getrandom() makes the
 * kernel run its own jitter entropy generator (5.18+), which the kernel
 * credits itself. bootseed bounds the wait and reports it as the source
 * "kernel-jitter", credited 0 by bootseed.
 */
#pragma once

#include <stdbool.h>

#include "config.h"
#include "mix.h"

/*
 * Waits at most jitter_timeout_ms for the crng, when it is not ready. @late is
 * the late initramfs stage (always waits); otherwise ("all") it waits only if
 * no earlier stage of this boot did. Returns exit bits (none: a bound reached
 * is logged, not a failure).
 */
int jitter_run(struct mix *m, const struct config *cfg, bool late);
