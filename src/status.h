/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * status: what a person (or a script, with --json) needs to see: the pool, the
 * crng, the hwrng and its kernel quality, TPM devices, the seed files and
 * whether they would be credited, and the last report.
 */
#pragma once

#include <stdbool.h>

#include "config.h"

/* Prints the status; returns 0 or exit bits. */
int status_show(const struct config *cfg, bool json);
