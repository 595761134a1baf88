/* SPDX-License-Identifier: BSD-3-Clause */
/* The exerciser's randomness (splitmix64) and hash (FNV-1a). */
#include "fsstress.h"

uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint32_t rng_below(struct rng *r, uint32_t n)
{
	/* the bias of a 64-bit modulo by a small n is far below noticing */
	return (uint32_t)(rng_next(r) % n);
}

int rng_pct(struct rng *r, unsigned pct)
{
	return rng_below(r, 100) < pct;
}

uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ull;
	}
	return h;
}
