#include "pkg/yaml/core_schema.h"

#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <regex>
#include <string>

namespace skiff::yaml::detail {
namespace {

bool all_of(std::string_view s, bool (*pred)(char)) {
  if (s.empty()) return false;
  for (char c : s)
    if (!pred(c)) return false;
  return true;
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_octal(char c) {
  return c >= '0' && c <= '7';
}
bool is_hex(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Integers too large for int64/uint64 keep their magnitude as a double, like YAML readers do.
std::optional<Json> integer_from(std::string_view digits, int base, bool negative) {
  unsigned long long magnitude = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude, base);
  if (end != digits.data() + digits.size()) return std::nullopt;
  if (ec == std::errc::result_out_of_range) {
    double value = std::stod(std::string(digits));  // only reached for decimal digits
    return Json(negative ? -value : value);
  }
  if (!negative) {
    if (magnitude <= static_cast<unsigned long long>(std::numeric_limits<std::int64_t>::max()))
      return Json(static_cast<std::int64_t>(magnitude));
    return Json(static_cast<std::uint64_t>(magnitude));
  }
  if (magnitude <= static_cast<unsigned long long>(std::numeric_limits<std::int64_t>::max()) + 1)
    return Json(static_cast<std::int64_t>(0 - magnitude));
  return Json(-static_cast<double>(magnitude));
}

}  // namespace

bool is_null_word(std::string_view t) {
  return t.empty() || t == "~" || t == "null" || t == "Null" || t == "NULL";
}

std::optional<bool> parse_bool(std::string_view t) {
  if (t == "true" || t == "True" || t == "TRUE") return true;
  if (t == "false" || t == "False" || t == "FALSE") return false;
  return std::nullopt;
}

std::optional<Json> parse_int(std::string_view t) {
  if (t.size() > 2 && t[0] == '0' && t[1] == 'o' && all_of(t.substr(2), is_octal))
    return integer_from(t.substr(2), 8, false);
  if (t.size() > 2 && t[0] == '0' && t[1] == 'x' && all_of(t.substr(2), is_hex))
    return integer_from(t.substr(2), 16, false);
  bool negative = false;
  std::string_view digits = t;
  if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) {
    negative = digits[0] == '-';
    digits.remove_prefix(1);
  }
  if (!all_of(digits, is_digit)) return std::nullopt;
  return integer_from(digits, 10, negative);
}

std::optional<Json> parse_float(std::string_view t) {
  std::string_view body = t;
  bool negative = false;
  if (!body.empty() && (body[0] == '-' || body[0] == '+')) {
    negative = body[0] == '-';
    body.remove_prefix(1);
  }
  if (body == ".inf" || body == ".Inf" || body == ".INF") {
    double inf = std::numeric_limits<double>::infinity();
    return Json(negative ? -inf : inf);
  }
  if (t == ".nan" || t == ".NaN" || t == ".NAN") return Json(std::nan(""));
  static const std::regex kFloat(R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)");
  if (!std::regex_match(t.begin(), t.end(), kFloat)) return std::nullopt;
  return Json(std::stod(std::string(t)));
}

Json resolve_plain_scalar(std::string_view text) {
  if (is_null_word(text)) return nullptr;
  if (auto b = parse_bool(text)) return *b;
  if (auto i = parse_int(text)) return *i;
  if (auto f = parse_float(text)) return *f;
  return std::string(text);
}

bool plain_reads_as_non_string(std::string_view t) {
  if (!resolve_plain_scalar(t).is_string()) return true;
  // YAML 1.1 words and number forms that older readers (go-yaml v2, PyYAML) still resolve.
  static const std::array<std::string_view, 22> kYaml11Words = {
      "y",  "Y",  "yes", "Yes", "YES", "n",    "N",     "no",    "No",   "NO", "on",
      "On", "ON", "off", "Off", "OFF", ".inf", "-.inf", "+.inf", ".nan", "=",  "<<"};
  for (auto word : kYaml11Words)
    if (t == word) return true;
  static const std::regex kYaml11Number(
      R"([-+]?(0b[01_]+|0[0-7_]+|0x[0-9a-fA-F_]+|[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?|([0-9][0-9_]*)?\.?[0-9_]+([eE][-+]?[0-9]+)?|[0-9][0-9_]*\.[0-9_]*([eE][-+]?[0-9]+)?))");
  return std::regex_match(t.begin(), t.end(), kYaml11Number);
}

}  // namespace skiff::yaml::detail
