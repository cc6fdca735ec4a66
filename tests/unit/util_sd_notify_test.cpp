// sd_notify without libsystemd: datagrams reach a bound socket by path and by abstract name;
// nothing happens without NOTIFY_SOCKET.
#include "pkg/util/sd_notify.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstring>
#include <filesystem>
#include <string>

namespace skiff::util {
namespace {

// A bound datagram socket standing for systemd's notify socket; removes its temp dir.
class NotifyListener {
 public:
  // `abstract_name` empty: a socket file in a fresh temp dir.
  explicit NotifyListener(const std::string& abstract_name = {}) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    EXPECT_GE(fd_, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    socklen_t length;
    if (abstract_name.empty()) {
      std::string pattern = (std::filesystem::temp_directory_path() / "skiff-notify-XXXXXX");
      char* made = ::mkdtemp(pattern.data());
      EXPECT_NE(made, nullptr);
      dir_ = pattern;
      name_ = dir_ + "/notify";
      std::strncpy(address.sun_path, name_.c_str(), sizeof(address.sun_path) - 1);
      length = sizeof address;
    } else {
      name_ = "@" + abstract_name;
      std::memcpy(address.sun_path + 1, abstract_name.data(), abstract_name.size());
      length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + abstract_name.size());
    }
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&address), length), 0)
        << std::strerror(errno);
  }
  ~NotifyListener() {
    if (fd_ >= 0) ::close(fd_);
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  NotifyListener(const NotifyListener&) = delete;
  NotifyListener& operator=(const NotifyListener&) = delete;

  const std::string& name() const { return name_; }

  // The next datagram, or "<none>" after 2 s.
  std::string receive() {
    pollfd wait{fd_, POLLIN, 0};
    if (::poll(&wait, 1, 2000) != 1) return "<none>";
    char buffer[512];
    ssize_t got = ::recv(fd_, buffer, sizeof buffer, 0);
    return got < 0 ? "<error>" : std::string(buffer, static_cast<std::size_t>(got));
  }
  // True when nothing is waiting right now (datagrams are sent synchronously).
  bool empty() {
    pollfd wait{fd_, POLLIN, 0};
    return ::poll(&wait, 1, 0) == 0;
  }

 private:
  int fd_ = -1;
  std::string dir_;
  std::string name_;
};

// Sets NOTIFY_SOCKET for one test and restores what was there.
class ScopedNotifySocket {
 public:
  explicit ScopedNotifySocket(const char* value) {
    if (const char* old = ::getenv("NOTIFY_SOCKET")) saved_ = old;
    if (value)
      ::setenv("NOTIFY_SOCKET", value, 1);
    else
      ::unsetenv("NOTIFY_SOCKET");
  }
  ~ScopedNotifySocket() {
    if (saved_.empty())
      ::unsetenv("NOTIFY_SOCKET");
    else
      ::setenv("NOTIFY_SOCKET", saved_.c_str(), 1);
  }
  ScopedNotifySocket(const ScopedNotifySocket&) = delete;
  ScopedNotifySocket& operator=(const ScopedNotifySocket&) = delete;

 private:
  std::string saved_;
};

TEST(SdNotify, ReadyReachesASocketFileNamedByTheVariable) {
  NotifyListener listener;
  ScopedNotifySocket env(listener.name().c_str());
  EXPECT_TRUE(sd_notify_ready());
  EXPECT_EQ(listener.receive(), "READY=1");
  EXPECT_TRUE(sd_notify_stopping());
  EXPECT_EQ(listener.receive(), "STOPPING=1");
}

TEST(SdNotify, StatusIsOneLine) {
  NotifyListener listener;
  ScopedNotifySocket env(listener.name().c_str());
  EXPECT_TRUE(sd_notify_status("API ready\non :6443"));
  EXPECT_EQ(listener.receive(), "STATUS=API ready on :6443");
}

TEST(SdNotify, AbstractNameWithAt) {
  NotifyListener listener("skiff-sd-notify-test-" + std::to_string(::getpid()));
  EXPECT_TRUE(sd_notify_to(listener.name(), "READY=1\nSTATUS=up"));
  EXPECT_EQ(listener.receive(), "READY=1\nSTATUS=up");
}

TEST(SdNotify, UnsetOrEmptyVariableIsANoOp) {
  {
    ScopedNotifySocket env(nullptr);
    EXPECT_FALSE(sd_notify_ready());
  }
  {
    ScopedNotifySocket env("");
    EXPECT_FALSE(sd_notify_ready());
  }
}

TEST(SdNotify, BadNamesAreRefusedWithoutThrowing) {
  NotifyListener listener;
  EXPECT_FALSE(sd_notify_to("relative/notify", "READY=1"));
  EXPECT_FALSE(sd_notify_to("/" + std::string(200, 'x'), "READY=1"));
  EXPECT_FALSE(sd_notify_to(listener.name() + ".absent", "READY=1"));
  EXPECT_FALSE(sd_notify_to(listener.name(), ""));
  EXPECT_TRUE(listener.empty());
}

}  // namespace
}  // namespace skiff::util
