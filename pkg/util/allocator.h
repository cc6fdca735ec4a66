#pragma once
// What the process's memory allocator is, and the two things skiff asks of it: how many heaps
// to keep, and to give freed memory back to the system after a burst.
//
// The skiff binary is linked with jemalloc (cmd/skiff/jemalloc_config.cpp says why); tests,
// sanitizer builds and a build configured with -DSKIFF_JEMALLOC=OFF run on glibc's malloc.
// Both work; these calls do the right thing for whichever one serves malloc.
namespace skiff::util {

// True when jemalloc serves malloc in this process (linked or preloaded).
bool jemalloc_in_use();

// glibc only: at most `arenas` heaps unless the user set MALLOC_ARENA_MAX or the
// glibc.malloc.arena_max tunable. Call before any thread starts. jemalloc's arena count is
// set in its configuration instead (and MALLOC_CONF overrides it).
void limit_glibc_arenas(int arenas);

// jemalloc only: from now on a jemalloc thread returns freed pages to the system on jemalloc's
// decay schedule, instead of whichever thread frees memory doing it in the middle of its work
// (about 8% more creates/s in wrk runs); it sleeps while there is nothing to return. For the
// long-running commands: a CLI run would only pay for starting the thread.
void release_memory_in_background();

// jemalloc only: this thread allocates from the shared heaps, without a cache of its own. For
// the many threads that allocate rarely (the agent's one per pod): each cache holds freed
// objects for its thread alone, 30 idle pods' workers kept ~3 MiB in theirs.
void skip_thread_cache();

// jemalloc only: hands the objects this thread's cache holds back to the shared heaps, from
// where the background thread returns their pages to the system. For threads that work in
// bursts and then wait (the HTTP workers, the controllers), called before they wait: an idle
// thread's cache is otherwise kept as it is until the thread allocates again.
void flush_thread_cache();

// Returns free memory the allocator keeps to the system now, instead of after its own delay
// (glibc: malloc_trim; jemalloc: purges every arena).
void release_free_memory();

}  // namespace skiff::util
