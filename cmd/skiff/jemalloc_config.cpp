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
// Thread caches: each thread that allocates keeps a cache of freed objects, jemalloc's default
// size here. Caches for objects up to 1 KiB with a quarter of the slots (the setting until
// 2026-11-28) cost 10-18% of creates/s with wrk (server CPU per create 67-71 us against 79-85).
// What the caches cost at rest is kept down instead by the threads that allocate rarely or in
// bursts: the agent's pod workers use none (util::skip_thread_cache), and the HTTP workers, the
// controllers and the API's reactors hand theirs back before they wait
// (util::flush_thread_cache). Server and embedded agent with 30 idle pods: 20.0 MiB private
// (small caches: 16.7; default caches without the flushes: 25.9; glibc: 14.8).
// The server and the agent also start jemalloc's background thread
// (util::release_memory_in_background); the CLI commands do without. One such thread serves
// every arena (jemalloc would start one per arena).
extern "C" {
// NOLINTNEXTLINE: the name and type are jemalloc's interface.
const char* malloc_conf = "narenas:4,max_background_threads:1";
}
