/* SPDX-License-Identifier: BSD-3-Clause */
/* Timing and statistics for the benchmark programs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void samples_init(struct samples *s)
{
	s->v = NULL;
	s->n = s->cap = 0;
}

void samples_add(struct samples *s, uint64_t ns)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 1024;
		uint64_t *v = realloc(s->v, cap * sizeof(*v));

		if (!v) {
			fprintf(stderr, "out of memory\n");
			exit(2);
		}
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = ns;
}

void samples_free(struct samples *s)
{
	free(s->v);
	samples_init(s);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t sorted_quantile(const uint64_t *v, size_t n, double q)
{
	if (n == 0)
		return 0;
	size_t i = (size_t)(q * (double)(n - 1) + 0.5);

	if (i >= n)
		i = n - 1;
	return v[i];
}

uint64_t samples_quantile(struct samples *s, double q)
{
	qsort(s->v, s->n, sizeof(*s->v), cmp_u64);
	return sorted_quantile(s->v, s->n, q);
}

uint64_t samples_slice_quantile(const struct samples *s, size_t from,
				size_t len, double q)
{
	if (from >= s->n)
		return 0;
	if (len > s->n - from)
		len = s->n - from;
	uint64_t *copy = malloc(len * sizeof(*copy) + 1);

	if (!copy) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	memcpy(copy, s->v + from, len * sizeof(*copy));
	qsort(copy, len, sizeof(*copy), cmp_u64);
	uint64_t r = sorted_quantile(copy, len, q);

	free(copy);
	return r;
}

void bench_report(const char *op, const char *target, struct samples *s)
{
	uint64_t med = samples_quantile(s, 0.5);
	uint64_t p90 = samples_quantile(s, 0.9);

	printf("%s %s %llu %llu %zu\n", op, target, (unsigned long long)med,
	       (unsigned long long)p90, s->n);
	fflush(stdout);
}

void bench_report_na(const char *op, const char *target, const char *why)
{
	printf("%s %s n/a n/a 0 # %s\n", op, target, why);
	fflush(stdout);
}

uint64_t bench_parse_size(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);

	switch (*end) {
	case 'k': case 'K': v <<= 10; break;
	case 'm': case 'M': v <<= 20; break;
	case 'g': case 'G': v <<= 30; break;
	default: break;
	}
	return v;
}

int bench_dir_args(int argc, char **argv, const char **target, long *rounds)
{
	int i;
	for (i = 1; i + 1 < argc && argv[i][0] == '-'; i += 2) {
		if (!strcmp(argv[i], "--target"))
			*target = argv[i + 1];
		else if (!strcmp(argv[i], "--rounds"))
			*rounds = atol(argv[i + 1]);
		else
			return -1;
	}
	return i == argc - 1 && *rounds > 0 ? i : -1;
}
