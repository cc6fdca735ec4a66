#include "pkg/util/allocator.h"

#include <cstdlib>
#include <cstring>
#ifdef __GLIBC__
#include <malloc.h>
#endif

// jemalloc's control interface, declared here rather than from <jemalloc/jemalloc.h> so that
// nothing but the skiff binary's link needs jemalloc. Weak: null when jemalloc is not loaded.
extern "C" int mallctl(const char* name, void* old_value, size_t* old_length, void* new_value,
                       size_t new_length) __attribute__((weak));

namespace skiff::util {

namespace {

// Sets one of jemalloc's boolean controls; failure leaves jemalloc as it was.
void set_jemalloc_switch(const char* name, bool value) {
  mallctl(name, nullptr, nullptr, &value, sizeof value);
}

}  // namespace

bool jemalloc_in_use() {
  return mallctl != nullptr;
}

void limit_glibc_arenas(int arenas) {
#ifdef __GLIBC__
  if (jemalloc_in_use()) return;
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  if (std::getenv("MALLOC_ARENA_MAX") != nullptr ||
      (tunables != nullptr && std::strstr(tunables, "arena_max") != nullptr))
    return;
  mallopt(M_ARENA_MAX, arenas);
#else
  (void)arenas;
#endif
}

void release_memory_in_background() {
  if (jemalloc_in_use()) set_jemalloc_switch("background_thread", true);
}

void skip_thread_cache() {
  if (jemalloc_in_use()) set_jemalloc_switch("thread.tcache.enabled", false);
}

void flush_thread_cache() {
  if (jemalloc_in_use()) mallctl("thread.tcache.flush", nullptr, nullptr, nullptr, 0);
}

void release_free_memory() {
  if (jemalloc_in_use()) {
    // "arena.<MALLCTL_ARENAS_ALL>.purge": 4096 names every arena (jemalloc.h's constant).
    mallctl("arena.4096.purge", nullptr, nullptr, nullptr, 0);
    return;
  }
#ifdef __GLIBC__
  ::malloc_trim(0);
#endif
}

}  // namespace skiff::util
