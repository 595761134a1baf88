/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test-only hooks of libpmemfile-core, compiled in when the library is built
 * with PF_TEST_HOOKS (CMake option, default ON). Not for production use.
 */
#ifndef PMEMFILE_TESTING_H
#define PMEMFILE_TESTING_H

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Calls hook(arg) at every persistence barrier of the core: after each
 * transaction commits, before and after each redo-logged publish, and
 * after each data persist outside a transaction.
 * A crash test can snapshot the pool or _exit() there. NULL disables it.
 * Process-wide; set it before using any pool. Without PF_TEST_HOOKS the
 * function exists but the hook is never called.
 */
void pf_test_set_persist_hook(void (*hook)(void *arg), void *arg);

#ifdef __cplusplus
}
#endif
#endif
