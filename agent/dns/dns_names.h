#pragma once
// Small helpers on dotted DNS names, shared by the cluster records and the responder.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace skiff::agent::dns {

std::string lower(std::string_view text);
// "example.com." -> "example.com" (a leading or trailing dot carries no meaning here).
std::string trim_dots(std::string_view name);
// A DNS-1123 label: [a-z0-9]([-a-z0-9]*[a-z0-9])?, at most 63 bytes (lower case expected).
bool is_label(std::string_view text);
// Dotted labels of 1..63 bytes each, 253 bytes at most.
bool is_domain_name(std::string_view name);
std::vector<std::string> split_labels(std::string_view name);
// True when `name` is `zone` or ends in ".zone" (both lower case).
bool in_zone(std::string_view name, std::string_view zone);
// 10.42.0.7 -> "10-42-0-7", the name CoreDNS gives an endpoint without a hostname.
std::string dashed_ipv4(uint32_t address);
// "10-42-0-7" -> 10.42.0.7 (each part 0..255, no leading zeros).
std::optional<uint32_t> parse_dashed_ipv4(std::string_view text);
// "7.0.42.10.in-addr.arpa" -> 10.42.0.7.
std::optional<uint32_t> parse_reverse_ipv4(std::string_view name);

}  // namespace skiff::agent::dns
