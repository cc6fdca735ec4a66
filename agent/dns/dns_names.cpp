#include "agent/dns/dns_names.h"

#include <algorithm>

#include "pkg/util/ipv4.h"

namespace skiff::agent::dns {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  });
  return out;
}

std::string trim_dots(std::string_view name) {
  while (!name.empty() && name.front() == '.') name.remove_prefix(1);
  while (!name.empty() && name.back() == '.') name.remove_suffix(1);
  return std::string(name);
}

bool is_label(std::string_view text) {
  if (text.empty() || text.size() > 63) return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(text.front()) || !alnum(text.back())) return false;
  return std::all_of(text.begin(), text.end(), [&](char c) { return alnum(c) || c == '-'; });
}

bool is_domain_name(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  for (const auto& label : split_labels(name))
    if (label.empty() || label.size() > 63) return false;
  return true;
}

std::vector<std::string> split_labels(std::string_view name) {
  std::vector<std::string> labels;
  size_t start = 0;
  for (;;) {
    const size_t dot = name.find('.', start);
    labels.emplace_back(name.substr(start, dot - start));
    if (dot == std::string_view::npos) return labels;
    start = dot + 1;
  }
}

bool in_zone(std::string_view name, std::string_view zone) {
  if (name == zone) return true;
  return name.size() > zone.size() && name.ends_with(zone) &&
         name[name.size() - zone.size() - 1] == '.';
}

std::string dashed_ipv4(uint32_t address) {
  std::string dotted = util::format_ipv4(address);
  std::replace(dotted.begin(), dotted.end(), '.', '-');
  return dotted;
}

std::optional<uint32_t> parse_dashed_ipv4(std::string_view text) {
  std::string dotted(text);
  if (dotted.find('.') != std::string::npos) return std::nullopt;
  std::replace(dotted.begin(), dotted.end(), '-', '.');
  return util::parse_ipv4(dotted);
}

std::optional<uint32_t> parse_reverse_ipv4(std::string_view name) {
  constexpr std::string_view kSuffix = ".in-addr.arpa";
  if (!name.ends_with(kSuffix)) return std::nullopt;
  const auto labels = split_labels(name.substr(0, name.size() - kSuffix.size()));
  if (labels.size() != 4) return std::nullopt;
  return util::parse_ipv4(labels[3] + "." + labels[2] + "." + labels[1] + "." + labels[0]);
}

}  // namespace skiff::agent::dns
