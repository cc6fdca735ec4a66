#pragma once
// IPv4 addresses, CIDR blocks and port ranges as the cluster flags and allocators use them
// (--cluster-cidr, --service-cidr, --service-node-port-range). Pure parsing and arithmetic;
// IPv6 is not supported (skiff's pod and service networks are IPv4 single-stack).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace skiff::util {

// "10.43.0.1" -> host-order address; nullopt for anything else (no leading zeros, no spaces).
std::optional<uint32_t> parse_ipv4(std::string_view text);
std::string format_ipv4(uint32_t address);

struct Ipv4Cidr {
  uint32_t network = 0;  // the first address (host bits zero)
  int prefix = 0;        // 0..32

  // How many addresses the block spans (2^(32-prefix)).
  uint64_t size() const { return uint64_t{1} << (32 - prefix); }
  bool contains(uint32_t address) const {
    return prefix == 0 || (address >> (32 - prefix)) == (network >> (32 - prefix));
  }
  // The block's `offset`-th address (offset < size()).
  uint32_t at(uint64_t offset) const { return network + static_cast<uint32_t>(offset); }
  std::string str() const;  // "10.43.0.0/16"
  bool operator==(const Ipv4Cidr&) const = default;
};

// "10.42.0.0/16" -> the block. Host bits must be zero ("10.42.0.1/16" is refused, so a typo
// cannot silently shift the network). nullopt when malformed.
std::optional<Ipv4Cidr> parse_ipv4_cidr(std::string_view text);

// An inclusive range of ports such as "30000-32767" (a single "30000" is one port).
struct PortRange {
  int first = 0;
  int last = 0;
  bool contains(int64_t port) const { return port >= first && port <= last; }
  int size() const { return last - first + 1; }
  std::string str() const;  // "30000-32767"
};

// nullopt unless 1 <= first <= last <= 65535.
std::optional<PortRange> parse_port_range(std::string_view text);

}  // namespace skiff::util
