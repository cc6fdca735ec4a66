#include "pkg/util/ipv4.h"

#include <charconv>

namespace skiff::util {

namespace {

// A decimal number with no sign, no leading zero (except "0" itself) and at most `max`.
std::optional<uint32_t> parse_decimal(std::string_view text, uint32_t max) {
  if (text.empty() || text.size() > 10) return std::nullopt;
  if (text.size() > 1 && text.front() == '0') return std::nullopt;
  uint32_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value > max) return std::nullopt;
  return value;
}

}  // namespace

std::optional<uint32_t> parse_ipv4(std::string_view text) {
  uint32_t address = 0;
  for (int part = 0; part < 4; ++part) {
    auto dot = text.find('.');
    if ((part < 3) != (dot != std::string_view::npos)) return std::nullopt;
    auto octet = parse_decimal(text.substr(0, dot), 255);
    if (!octet) return std::nullopt;
    address = (address << 8) | *octet;
    text = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  }
  return address;
}

std::string format_ipv4(uint32_t address) {
  return std::to_string(address >> 24) + "." + std::to_string((address >> 16) & 0xff) + "." +
         std::to_string((address >> 8) & 0xff) + "." + std::to_string(address & 0xff);
}

std::string Ipv4Cidr::str() const {
  return format_ipv4(network) + "/" + std::to_string(prefix);
}

std::optional<Ipv4Cidr> parse_ipv4_cidr(std::string_view text) {
  auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto address = parse_ipv4(text.substr(0, slash));
  auto prefix = parse_decimal(text.substr(slash + 1), 32);
  if (!address || !prefix) return std::nullopt;
  Ipv4Cidr cidr{*address, static_cast<int>(*prefix)};
  uint32_t host_mask = cidr.prefix == 0 ? 0xffffffffu : (uint32_t{1} << (32 - cidr.prefix)) - 1;
  if ((*address & host_mask) != 0) return std::nullopt;
  return cidr;
}

std::string PortRange::str() const {
  return std::to_string(first) + "-" + std::to_string(last);
}

std::optional<PortRange> parse_port_range(std::string_view text) {
  auto dash = text.find('-');
  auto first = parse_decimal(text.substr(0, dash), 65535);
  auto last = dash == std::string_view::npos ? first : parse_decimal(text.substr(dash + 1), 65535);
  if (!first || !last || *first < 1 || *first > *last) return std::nullopt;
  return PortRange{static_cast<int>(*first), static_cast<int>(*last)};
}

}  // namespace skiff::util
