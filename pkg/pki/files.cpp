// Key and certificate files: read whole, written atomically with their final mode from the
// first byte (a private key is never readable by others, not even for a moment).
#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>

#include "pkg/pki/pki.h"

namespace skiff::pki {

namespace {

std::string system_error(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  // Closing reports errors (a write-back failure on some file systems); the destructor cannot.
  int close() { return ::close(std::exchange(fd_, -1)); }

 private:
  int fd_;
};

// Missing parent directories are made 0700: they hold keys. Existing ones are left as they are.
void create_parent_directories(const std::filesystem::path& path) {
  std::filesystem::path parent = path.parent_path();
  if (parent.empty()) return;
  std::filesystem::path partial;
  for (const auto& part : parent) {
    partial /= part;
    struct stat info {};
    if (::stat(partial.c_str(), &info) == 0) {
      if (!S_ISDIR(info.st_mode))
        throw PkiError("cannot write " + path.string() + ": " + partial.string() +
                       " is not a directory");
      continue;
    }
    if (::mkdir(partial.c_str(), 0700) != 0 && errno != EEXIST)
      throw PkiError(system_error("cannot create directory", partial.string()));
  }
}

std::string temporary_name(const std::string& path) {
  unsigned char bytes[8];
  if (getrandom(bytes, sizeof bytes, 0) != sizeof bytes)
    throw PkiError(system_error("no random bytes for a temporary file next to", path));
  static constexpr char kHex[] = "0123456789abcdef";
  std::string name = path + ".tmp-";
  for (unsigned char byte : bytes) {
    name.push_back(kHex[byte >> 4]);
    name.push_back(kHex[byte & 0x0f]);
  }
  return name;
}

void write_all(int fd, const std::string& contents, const std::string& path) {
  size_t written = 0;
  while (written < contents.size()) {
    ssize_t n = ::write(fd, contents.data() + written, contents.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw PkiError(system_error("cannot write", path));
    written += static_cast<size_t>(n);
  }
}

// The rename is only durable once the directory entry is on disk too.
void sync_directory(const std::filesystem::path& directory) {
  FileDescriptor fd(
      ::open(directory.empty() ? "." : directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() >= 0) ::fsync(fd.get());  // best effort: some file systems refuse
}

}  // namespace

std::string read_file(const std::string& path) {
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) throw PkiError(system_error("cannot read", path));
  std::string contents;
  char buffer[16384];
  while (true) {
    ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw PkiError(system_error("cannot read", path));
    if (n == 0) break;
    contents.append(buffer, static_cast<size_t>(n));
  }
  return contents;
}

void write_file(const std::string& path, const std::string& contents, unsigned mode) {
  const mode_t file_mode = static_cast<mode_t>(mode & 07777);
  create_parent_directories(path);
  const std::string temporary = temporary_name(path);
  FileDescriptor fd(
      ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, file_mode));
  if (fd.get() < 0) throw PkiError(system_error("cannot create", temporary));
  try {
    // open() applied the umask; fchmod sets exactly `mode` before any byte is written.
    if (::fchmod(fd.get(), file_mode) != 0) throw PkiError(system_error("cannot chmod", temporary));
    write_all(fd.get(), contents, temporary);
    if (::fsync(fd.get()) != 0) throw PkiError(system_error("cannot sync", temporary));
    if (fd.close() != 0) throw PkiError(system_error("cannot close", temporary));
    if (::rename(temporary.c_str(), path.c_str()) != 0)
      throw PkiError(system_error("cannot replace", path));
  } catch (...) {
    ::unlink(temporary.c_str());
    throw;
  }
  sync_directory(std::filesystem::path(path).parent_path());
}

}  // namespace skiff::pki
