#include "pkg/util/sd_notify.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>

namespace skiff::util {

bool sd_notify_to(const std::string& socket_name, std::string_view state) {
  if (socket_name.empty() || state.empty()) return false;
  if (socket_name[0] != '/' && socket_name[0] != '@') return false;
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (socket_name.size() > sizeof(address.sun_path) - (socket_name[0] == '/' ? 1 : 0)) return false;
  std::memcpy(address.sun_path, socket_name.data(), socket_name.size());
  socklen_t length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + socket_name.size());
  if (socket_name[0] == '@') {
    address.sun_path[0] = '\0';  // abstract: the name's bytes after the NUL, no terminator
  } else {
    length += 1;  // the path's terminating NUL
  }
  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  ssize_t sent = ::sendto(fd, state.data(), state.size(), MSG_NOSIGNAL | MSG_DONTWAIT,
                          reinterpret_cast<const sockaddr*>(&address), length);
  ::close(fd);
  return sent == static_cast<ssize_t>(state.size());
}

bool sd_notify(std::string_view state) {
  const char* socket_name = std::getenv("NOTIFY_SOCKET");
  if (!socket_name || !*socket_name) return false;
  return sd_notify_to(socket_name, state);
}

bool sd_notify_status(std::string_view status) {
  std::string message = "STATUS=";
  for (char c : status) message += (c == '\n' ? ' ' : c);
  return sd_notify(message);
}

}  // namespace skiff::util
