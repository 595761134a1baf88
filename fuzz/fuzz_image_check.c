/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_image's helper: pmemobj_check of one file in a process of its own
 * (spawned: a fork of the fuzzer would copy its large address space).
 * Exit 0 when libpmemobj survives the check, whatever its verdict; a
 * fault or a hang (killed by the alarm) is libpmemobj's (F7).
 */
#include <unistd.h>
#include <libpmemobj.h>

int
main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	alarm(20);
	pmemobj_check(argv[1], "pmemfile-core");
	return 0;
}
