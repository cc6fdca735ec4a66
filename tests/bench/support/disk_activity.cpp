#include "tests/bench/support/disk_activity.h"

#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace skiff::bench {

namespace fs = std::filesystem;

std::map<std::string, FileState> files_under(const std::string& dir) {
  std::map<std::string, FileState> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    struct stat info {};
    if (::stat(entry.path().c_str(), &info) != 0) continue;
    files[fs::relative(entry.path(), dir).string()] = {
        static_cast<uintmax_t>(info.st_size),
        int64_t{info.st_mtim.tv_sec} * 1000000000 + info.st_mtim.tv_nsec};
  }
  return files;
}

FileEventCounter::FileEventCounter(const std::string& dir)
    : fd_(inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) {
  if (fd_ < 0) throw std::runtime_error("inotify_init1 failed");
  add(dir);
  for (const auto& entry : fs::recursive_directory_iterator(dir))
    if (entry.is_directory()) add(entry.path().string());
  thread_ = std::thread([this] { run(); });
}

FileEventCounter::~FileEventCounter() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
  ::close(fd_);
}

std::map<std::string, int> FileEventCounter::stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mutex_);
  return counts_;
}

void FileEventCounter::add(const std::string& dir) {
  int wd = inotify_add_watch(fd_, dir.c_str(),
                             IN_MODIFY | IN_CREATE | IN_DELETE | IN_MOVED_TO | IN_CLOSE_WRITE);
  if (wd >= 0) dirs_[wd] = dir;
}

void FileEventCounter::run() {
  alignas(inotify_event) char buffer[16384];
  while (!stopping_) {
    pollfd poller{fd_, POLLIN, 0};
    if (::poll(&poller, 1, 100) <= 0) continue;
    ssize_t n = ::read(fd_, buffer, sizeof buffer);
    for (ssize_t offset = 0; offset < n;) {
      auto* event = reinterpret_cast<inotify_event*>(buffer + offset);
      std::string what = event->mask & IN_MODIFY     ? "write"
                         : event->mask & IN_CREATE   ? "create"
                         : event->mask & IN_DELETE   ? "delete"
                         : event->mask & IN_MOVED_TO ? "rename"
                                                     : "close-after-write";
      std::string name = dirs_[event->wd] + "/" + (event->len ? event->name : "");
      {
        std::lock_guard lock(mutex_);
        ++counts_[name + " (" + what + ")"];
      }
      offset += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
    }
  }
}

std::map<std::string, long long> proc_io(pid_t pid) {
  std::map<std::string, long long> values;
  std::ifstream io("/proc/" + std::to_string(pid) + "/io");
  std::string key;
  long long value = 0;
  while (io >> key >> value) values[key.substr(0, key.size() - 1)] = value;
  return values;
}

uintmax_t file_size_or_zero(const std::string& path) {
  std::error_code error;
  auto size = fs::file_size(path, error);
  return error ? 0 : size;
}

}  // namespace skiff::bench
