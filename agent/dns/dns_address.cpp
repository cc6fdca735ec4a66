#include "agent/dns/dns_address.h"

#include <sstream>

#include "pkg/util/ipv4.h"

namespace skiff::agent::dns {
namespace {

std::string joined(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& arg : argv) out += (out.empty() ? "" : " ") + arg;
  return out;
}

network::ChildResult must(network::IpRunner& runner, const std::vector<std::string>& argv) {
  network::ChildResult result = runner.run(argv);
  if (result.exit_code != 0)
    throw DnsAddressError("`" + joined(argv) + "` failed: " + result.output);
  return result;
}

bool link_exists(network::IpRunner& runner, const std::string& device) {
  return runner.run({"ip", "link", "show", "dev", device}).exit_code == 0;
}

// The "a.b.c.d/n" addresses `ip -o -4 addr show` lists.
std::vector<std::string> ipv4_addresses(const std::string& listing) {
  std::vector<std::string> addresses;
  std::istringstream words(listing);
  for (std::string word; words >> word;)
    if (word == "inet" && words >> word) addresses.push_back(word);
  return addresses;
}

}  // namespace

void ensure_dns_address(network::IpRunner& runner, const std::string& ip,
                        const std::string& device) {
  if (!util::parse_ipv4(ip)) throw DnsAddressError("\"" + ip + "\" is not an IPv4 address");
  if (!link_exists(runner, device) &&
      runner.run({"ip", "link", "add", device, "type", "dummy"}).exit_code != 0) {
    // Kernels built without the dummy driver (some VM and board kernels): a bridge with no
    // ports holds a local address just as well, and every kernel that runs podman has bridges.
    must(runner, {"ip", "link", "add", device, "type", "bridge"});
  }
  must(runner, {"ip", "link", "set", device, "up"});
  const std::string wanted = ip + "/32";
  must(runner, {"ip", "addr", "replace", wanted, "dev", device});
  const auto listing = must(runner, {"ip", "-o", "-4", "addr", "show", "dev", device});
  for (const auto& address : ipv4_addresses(listing.output))
    if (address != wanted) must(runner, {"ip", "addr", "del", address, "dev", device});
}

void remove_dns_address(network::IpRunner& runner, const std::string& device) {
  if (!link_exists(runner, device)) return;
  must(runner, {"ip", "link", "del", device});
}

void ensure_dns_address(const std::string& ip, const std::string& device) {
  network::IpCommand runner;
  ensure_dns_address(runner, ip, device);
}

void remove_dns_address(const std::string& device) {
  network::IpCommand runner;
  remove_dns_address(runner, device);
}

}  // namespace skiff::agent::dns
