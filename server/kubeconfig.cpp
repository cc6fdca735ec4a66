#include "server/kubeconfig.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace skiff::server {

void write_admin_kubeconfig(const std::string& path, unsigned mode, const std::string& server_url) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path parent = fs::path(path).parent_path();
  if (!parent.empty()) fs::create_directories(parent, ec);
  // Plain HTTP on loopback until the security issue brings TLS and client certificates.
  std::string text =
      "apiVersion: v1\n"
      "kind: Config\n"
      "clusters:\n"
      "- name: default\n"
      "  cluster:\n"
      "    server: " +
      server_url +
      "\n"
      "contexts:\n"
      "- name: default\n"
      "  context:\n"
      "    cluster: default\n"
      "    user: default\n"
      "current-context: default\n"
      "preferences: {}\n"
      "users:\n"
      "- name: default\n"
      "  user: {}\n";
  std::string temp = path + ".tmp";
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0)
    throw std::runtime_error("cannot write kubeconfig " + path + ": " + std::strerror(errno));
  bool ok = ::fchmod(fd, mode) == 0 &&
            ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  int saved_errno = errno;
  ::close(fd);
  if (!ok || ::rename(temp.c_str(), path.c_str()) != 0) {
    if (ok) saved_errno = errno;
    ::unlink(temp.c_str());
    throw std::runtime_error("cannot write kubeconfig " + path + ": " + std::strerror(saved_errno));
  }
}

}  // namespace skiff::server
