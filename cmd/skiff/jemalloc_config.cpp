// The skiff binary's allocator settings, read by jemalloc when the process starts (its
// documented `malloc_conf` symbol; a user's MALLOC_CONF environment variable overrides them).
//
// Why jemalloc: every API write builds, hands between threads and frees a few hundred small
// objects (the request, its JSON tree, the stored copy, the watch event), allocated on an I/O
// thread and freed on the store's writer or the other way round. glibc's malloc paid for that
// in arena locks and consolidation: with wrk creating 1 KiB ConfigMaps over 16 connections the
// server spent 97-111 us of CPU per create on glibc and 61-81 us on jemalloc (12,400-14,100
// against 16,200-21,200 creates/s), and held less memory doing it (README, "Memory allocator").
//
// narenas: jemalloc's default is four heaps per core (16 on a Raspberry Pi 4), each keeping
// its own freed pages; 4 measured as fast here and holds less.
// tcache_max, lg_tcache_nslots_mul: each thread that allocates gets a cache of freed objects,
// and the agent runs a thread per pod. With jemalloc's default caches the server with its
// embedded agent and 30 idle pods held 30.6 MiB of private memory (glibc: 14.8); with caches
// for objects up to 1 KiB and a quarter of the slots, 18.2 MiB, for 3-6% fewer creates/s.
// The server and the agent also start jemalloc's background thread
// (util::release_memory_in_background); the CLI commands do without. One such thread serves
// every arena (jemalloc would start one per arena).
extern "C" {
// NOLINTNEXTLINE: the name and type are jemalloc's interface.
const char* malloc_conf =
    "narenas:4,max_background_threads:1,tcache_max:1024,lg_tcache_nslots_mul:-2";
}
