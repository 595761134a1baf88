/* SPDX-License-Identifier: BSD-3-Clause */
/* pf_parse_size: a table of good and bad sizes. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "size.h"

static const struct {
	const char *in;
	int err;
	uint64_t want;
} cases[] = {
	{ "0", 0, 0 },
	{ "4096", 0, 4096 },
	{ "100B", 0, 100 },
	{ "64M", 0, 64ull << 20 },
	{ "64m", 0, 64ull << 20 },
	{ "64MB", 0, 64ull << 20 },
	{ "64MiB", 0, 64ull << 20 },
	{ "1G", 0, 1ull << 30 },
	{ "2t", 0, 2ull << 40 },
	{ "8k", 0, 8192 },
	{ "16777215T", 0, 16777215ull << 40 },
	{ "18446744073709551615", 0, UINT64_MAX },
	{ "", -EINVAL, 0 },
	{ "M", -EINVAL, 0 },
	{ "64MBB", -EINVAL, 0 },
	{ "64MiBB", -EINVAL, 0 },
	{ "64Mi", -EINVAL, 0 },
	{ "64X", -EINVAL, 0 },
	{ "64 M", -EINVAL, 0 },
	{ " 64M", -EINVAL, 0 },
	{ "+64M", -EINVAL, 0 },
	{ "-1", -EINVAL, 0 },
	{ "0x10", -EINVAL, 0 },
	{ "1.5G", -EINVAL, 0 },
	{ "64iB", -EINVAL, 0 },
	{ "64BB", -EINVAL, 0 },
	{ "16777216T", -ERANGE, 0 },
	{ "18446744073709551616", -ERANGE, 0 },
	{ "99999999999999999999T", -ERANGE, 0 },
};

int
main(void)
{
	int fails = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t v = 12345;
		int r = pf_parse_size(cases[i].in, &v);
		if (r != cases[i].err || (r == 0 && v != cases[i].want)) {
			printf("FAIL \"%s\": %d %" PRIu64 ", expected %d %" PRIu64
			       "\n", cases[i].in, r, v, cases[i].err,
			       cases[i].want);
			fails++;
		}
	}
	printf("%s: %zu cases, %d failed\n", fails ? "FAIL" : "ok",
	       sizeof(cases) / sizeof(cases[0]), fails);
	return fails != 0;
}
