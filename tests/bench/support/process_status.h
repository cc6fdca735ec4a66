#pragma once
// For benchmarks: a process's memory as /proc/<pid>/status reports it.
#include <string>

#include <sys/types.h>

namespace skiff::bench {

// A field of /proc/<pid>/status in KiB: "VmRSS" (all resident memory) or "RssAnon" (the
// process's own memory, without the database pages SQLite maps, which the kernel can drop).
// 0 when the process or the field is not there.
long status_kib(pid_t pid, const std::string& field);

}  // namespace skiff::bench
