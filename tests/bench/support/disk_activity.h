#pragma once
// For benchmarks: what a process did to the disk over a window. A snapshot of every file under
// a directory (size, mtime), inotify counts of writes/creates/deletes per file while it runs,
// and a process's /proc/<pid>/io counters.
#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace skiff::bench {

struct FileState {
  uintmax_t size = 0;
  int64_t mtime_ns = 0;
  bool operator==(const FileState&) const = default;
};

// Every regular file under `dir` (paths relative to it).
std::map<std::string, FileState> files_under(const std::string& dir);

// inotify on every directory of `dir` (as it is at construction): counts write/create/delete
// events per file, keyed "<path> (<event>)".
class FileEventCounter {
 public:
  explicit FileEventCounter(const std::string& dir);
  ~FileEventCounter();
  FileEventCounter(const FileEventCounter&) = delete;
  FileEventCounter& operator=(const FileEventCounter&) = delete;
  std::map<std::string, int> stop();

 private:
  void add(const std::string& dir);
  void run();

  int fd_;
  std::map<int, std::string> dirs_;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::map<std::string, int> counts_;
  std::thread thread_;
};

// /proc/<pid>/io as name -> value (write_bytes, wchar, syscw...).
std::map<std::string, long long> proc_io(pid_t pid);

uintmax_t file_size_or_zero(const std::string& path);

}  // namespace skiff::bench
