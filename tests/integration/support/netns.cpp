#include "tests/integration/support/netns.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <thread>

namespace skiff::testing {
namespace {

std::string describe(const std::vector<std::string>& argv) {
  std::string text;
  for (const auto& arg : argv) text += (text.empty() ? "" : " ") + arg;
  return text;
}

}  // namespace

void must_run(const std::vector<std::string>& argv) {
  CommandResult result = run_command(argv, "", 30);
  if (result.exit_code != 0)
    throw std::runtime_error(describe(argv) + " failed (exit " + std::to_string(result.exit_code) +
                             "): " + result.err);
}

std::string netns_unavailable_reason() {
  if (::geteuid() != 0) return "needs root (network namespaces and nftables)";
  if (run_command({"ip", "-V"}).exit_code != 0) return "needs iproute2 (ip)";
  if (run_command({"nft", "--version"}).exit_code != 0) return "needs nftables (nft)";
  return "";
}

NetworkNamespace::NetworkNamespace(std::string_view role)
    : name_("skiff-" + std::to_string(::getpid()) + "-" + std::string(role)) {
  must_run({"ip", "netns", "add", name_});
  try {
    must_run({"ip", "-n", name_, "link", "set", "lo", "up"});
  } catch (...) {
    run_command({"ip", "netns", "del", name_}, "", 30);  // no destructor runs for a failed ctor
    throw;
  }
}

NetworkNamespace::~NetworkNamespace() {
  // Deleting the namespace removes its interfaces (veth peers too) and its nftables tables.
  run_command({"ip", "netns", "del", name_}, "", 30);
}

CommandResult NetworkNamespace::exec(const std::vector<std::string>& argv) const {
  std::vector<std::string> full = {"ip", "netns", "exec", name_};
  full.insert(full.end(), argv.begin(), argv.end());
  return run_command(full, "", 30);
}

void NetworkNamespace::must(const std::vector<std::string>& argv) const {
  std::vector<std::string> full = {"ip", "netns", "exec", name_};
  full.insert(full.end(), argv.begin(), argv.end());
  must_run(full);
}

void NetworkNamespace::enter(const std::function<void()>& body) const {
  std::exception_ptr failure;
  std::thread worker([&] {
    try {
      std::string path = "/run/netns/" + name_;
      int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) throw std::runtime_error("open " + path + ": " + std::strerror(errno));
      int entered = ::setns(fd, CLONE_NEWNET);
      int saved = errno;
      ::close(fd);
      if (entered != 0) throw std::runtime_error("setns " + name_ + ": " + std::strerror(saved));
      body();
    } catch (...) {
      failure = std::current_exception();
    }
  });
  worker.join();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace skiff::testing
