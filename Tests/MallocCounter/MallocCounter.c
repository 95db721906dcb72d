// MallocCounter: see include/MallocCounter.h.

#include <errno.h>  // Any C library header: it says whether the C library is glibc.

#if defined(__linux__) && defined(__GLIBC__)

#include <stdatomic.h>
#include <stddef.h>

#include "MallocCounter.h"

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);
extern void *__libc_valloc(size_t size);
extern void *__libc_pvalloc(size_t size);

static atomic_long allocations;

// Kept by the linker although nothing in the executable calls them (`retain`): the shared
// libraries do, through the dynamic symbol table.
#define KEPT __attribute__((used, retain))

static inline void count(void) { atomic_fetch_add_explicit(&allocations, 1, memory_order_relaxed); }

KEPT void *malloc(size_t size) {
  count();
  return __libc_malloc(size);
}

KEPT void *calloc(size_t count_, size_t size) {
  count();
  return __libc_calloc(count_, size);
}

KEPT void *realloc(void *pointer, size_t size) {
  count();
  return __libc_realloc(pointer, size);
}

KEPT void *memalign(size_t alignment, size_t size) {
  count();
  return __libc_memalign(alignment, size);
}

KEPT void *aligned_alloc(size_t alignment, size_t size) {
  count();
  return __libc_memalign(alignment, size);
}

KEPT int posix_memalign(void **result, size_t alignment, size_t size) {
  count();
  if (alignment % sizeof(void *) != 0 || (alignment & (alignment - 1)) != 0) return EINVAL;
  void *pointer = __libc_memalign(alignment, size);
  if (pointer == NULL) return ENOMEM;
  *result = pointer;
  return 0;
}

KEPT void *valloc(size_t size) {
  count();
  return __libc_valloc(size);
}

KEPT void *pvalloc(size_t size) {
  count();
  return __libc_pvalloc(size);
}

long netlang_allocation_count(void) {
  return atomic_load_explicit(&allocations, memory_order_relaxed);
}

#else

#include "MallocCounter.h"
long netlang_allocation_count(void) { return 0; }

#endif
