/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sc_children_each sees every child, however long the list: 2000 children
 * write about 12 KB into /proc/PID/task/TID/children, more than the 4 KiB
 * buffer the supervisor and the launcher used to read it with (the cwd
 * pinning then missed every child after the first ~600).
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>

#include "syscalls.h"

#define N 2000

static pid_t kids[N];

static int count(pid_t child, void *arg)
{
	int *seen = arg;
	for (int i = 0; i < N; i++)
		if (kids[i] == child) {
			seen[i]++;
			return 0;
		}
	return 0;
}

int main(void)
{
	static int seen[N];
	int fails = 0;
	for (int i = 0; i < N; i++) {
		kids[i] = fork();
		if (kids[i] < 0) {
			perror("fork");
			fails = 1;
			break;
		}
		if (kids[i] == 0) {
			pause();
			_exit(0);
		}
	}
	int r = fails ? 0 : sc_children_each(getpid(), count, seen);
	int missed = 0;
	for (int i = 0; i < N; i++)
		if (kids[i] > 0 && seen[i] != 1)
			missed++;
	for (int i = 0; i < N; i++)
		if (kids[i] > 0)
			kill(kids[i], SIGKILL);
	while (wait(NULL) > 0)
		;
	if (fails || r < 0 || missed) {
		printf("FAIL: sc_children_each returned %d, %d of %d children "
		       "not seen exactly once\n", r, missed, N);
		return 1;
	}
	printf("ok: %d children, each seen once\n", N);
	return 0;
}
