#pragma once
// resolv.conf(5) as a resolver reads it: nameserver, search (and the older domain) and options
// lines; comments start with '#' or ';'. Pure parsing; unknown lines are ignored, as glibc does.
#include <string>
#include <string_view>
#include <vector>

namespace skiff::agent::dns {

struct ResolvConf {
  std::vector<std::string> nameservers;  // as written (IPv4 or IPv6)
  std::vector<std::string> searches;     // the last search/domain line wins, as in glibc
  std::vector<std::string> options;      // "ndots:5", "edns0", ...
};

ResolvConf parse_resolv_conf(std::string_view text);

// True for 127.0.0.0/8 and ::1: resolvers only the host itself can reach (systemd-resolved's
// 127.0.0.53, a local dnsmasq), not a pod in its own network namespace.
bool is_loopback_address(std::string_view address);

}  // namespace skiff::agent::dns
