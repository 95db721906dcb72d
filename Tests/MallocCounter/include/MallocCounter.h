// MallocCounter: counts the test process's heap allocations (glibc only).
//
// The test executable defines malloc, calloc, realloc and the aligned allocators; the dynamic
// linker binds every library's calls to these (glibc documents replacing malloc this way), and
// each counts and forwards to glibc's own implementation, so blocks and free are glibc's.
#ifndef NETLANG_MALLOC_COUNTER_H
#define NETLANG_MALLOC_COUNTER_H

/// Allocations (of any kind, on any thread) since the process started; always 0 where the
/// counter is not built (not glibc).
long netlang_allocation_count(void);

#endif
