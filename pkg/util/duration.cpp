#include "pkg/util/duration.h"

#include <cstdlib>
#include <string>

namespace skiff::util {

namespace {

// Milliseconds in one `unit`, or 0 for an unknown unit.
double unit_ms(std::string_view unit) {
  if (unit == "h") return 3'600'000;
  if (unit == "m") return 60'000;
  if (unit == "s") return 1'000;
  if (unit == "ms") return 1;
  if (unit == "us" || unit == "\u00b5s") return 1e-3;
  if (unit == "ns") return 1e-6;
  return 0;
}

bool is_number_char(char c) {
  return (c >= '0' && c <= '9') || c == '.';
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  // A bare number is seconds.
  bool bare = true;
  for (char c : text) bare = bare && is_number_char(c);
  double ms = 0;
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t number_end = at;
    while (number_end < text.size() && is_number_char(text[number_end])) ++number_end;
    if (number_end == at) return std::nullopt;
    const std::string number_text(text.substr(at, number_end - at));
    char* parsed_end = nullptr;
    const double number = std::strtod(number_text.c_str(), &parsed_end);
    if (parsed_end != number_text.c_str() + number_text.size()) return std::nullopt;
    if (bare) return std::chrono::milliseconds(static_cast<long long>(number * 1000));
    std::size_t unit_end = number_end;
    while (unit_end < text.size() && !is_number_char(text[unit_end])) ++unit_end;
    const double scale = unit_ms(text.substr(number_end, unit_end - number_end));
    if (scale == 0) return std::nullopt;
    ms += number * scale;
    at = unit_end;
  }
  return std::chrono::milliseconds(static_cast<long long>(ms));
}

}  // namespace skiff::util
