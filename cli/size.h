/* SPDX-License-Identifier: BSD-3-Clause */
/* Command-line helpers shared by pmemfile-run and the pool tools. */
#ifndef PF_CLI_SIZE_H
#define PF_CLI_SIZE_H
#include <stdint.h>

/*
 * Parses a size as the programs take it on their command lines: decimal
 * digits, then optionally a unit K, M, G or T (either case, powers of
 * 1024), which may be spelled with "B" or "iB" after it ("64M", "64MB",
 * "64MiB"); a bare number may end in "B". Nothing else: no sign, no
 * spaces, no other suffix. 0 and *out set, -EINVAL for anything else,
 * -ERANGE when the value does not fit 64 bits.
 */
int pf_parse_size(const char *s, uint64_t *out);

#endif
