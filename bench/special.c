/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pf-special: the cost of opening a FIFO and of connecting to a UNIX
 * socket by a path in DIR (median and p90 in ns, as pf-micro prints them):
 *   fifo_open_close   open(O_RDWR) + close of a FIFO
 *   unix_connect      socket + connect + accept + both closes
 *
 *   pf-special --target NAME [--rounds N] DIR
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "bench.h"

int main(int argc, char **argv)
{
	const char *target = "native";
	long rounds = 2000;
	int i = bench_dir_args(argc, argv, &target, &rounds);
	if (i < 0) {
		fprintf(stderr,
			"usage: pf-special --target NAME [--rounds N] DIR\n");
		return 2;
	}
	char fifo[4096];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(fifo, sizeof(fifo), "%s/pf-special.fifo", argv[i]);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/pf-special.sock",
		 argv[i]);
	unlink(fifo);
	unlink(sa.sun_path);
	int srv = socket(AF_UNIX, SOCK_STREAM, 0);
	if (mkfifo(fifo, 0644) < 0 || srv < 0 ||
	    bind(srv, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(srv, 8) < 0) {
		perror("pf-special: setting up");
		return 1;
	}
	struct samples s;
	samples_init(&s);
	for (long r = 0; r <= rounds; r++) {
		uint64_t t0 = bench_now_ns();
		int fd = open(fifo, O_RDWR);
		if (fd < 0) {
			bench_report_na("fifo_open_close", target,
					"open failed");
			goto sock;
		}
		close(fd);
		if (r)
			samples_add(&s, bench_now_ns() - t0);
	}
	bench_report("fifo_open_close", target, &s);
sock:
	samples_free(&s);
	samples_init(&s);
	for (long r = 0; r <= rounds; r++) {
		uint64_t t0 = bench_now_ns();
		int c = socket(AF_UNIX, SOCK_STREAM, 0);
		if (c < 0 ||
		    connect(c, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			bench_report_na("unix_connect", target,
					"connect failed");
			goto out;
		}
		int a = accept(srv, NULL, NULL);
		close(c);
		close(a);
		if (r)
			samples_add(&s, bench_now_ns() - t0);
	}
	bench_report("unix_connect", target, &s);
out:
	samples_free(&s);
	close(srv);
	unlink(fifo);
	unlink(sa.sun_path);
	return 0;
}
