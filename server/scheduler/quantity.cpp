#include "server/scheduler/quantity.h"

#include <cctype>
#include <string>

#include "pkg/api/errors.h"

namespace skiff::scheduler {
namespace {

using Int128 = __int128;
constexpr Int128 kInt64Max = INT64_MAX;
constexpr Int128 kInt64Min = INT64_MIN;
// Beyond this magnitude the result cannot fit in int64 whatever the remaining scaling does.
constexpr Int128 kOverflowGuard = Int128(1) << 100;

[[noreturn]] void fail(std::string_view text, std::string_view why) {
  throw api::bad_request("invalid quantity \"" + std::string(text) + "\": " + std::string(why));
}

[[noreturn]] void fail_syntax(std::string_view text) {
  fail(text,
       "quantities must match the regular expression "
       "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
}

// value = sign * digits * 10^exp10 * 2^exp2, exactly.
struct Parsed {
  bool negative = false;
  Int128 digits = 0;
  int exp10 = 0;
  int exp2 = 0;
};

Parsed parse(std::string_view text) {
  Parsed out;
  std::size_t i = 0;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) out.negative = text[i++] == '-';
  bool any_digit = false;
  bool seen_point = false;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '.') {
      if (seen_point) fail_syntax(text);
      seen_point = true;
      continue;
    }
    if (!std::isdigit(static_cast<unsigned char>(c))) break;
    any_digit = true;
    if (out.digits > kOverflowGuard) {
      // Further digits only add precision we cannot hold; scale instead.
      if (!seen_point) ++out.exp10;
      continue;
    }
    out.digits = out.digits * 10 + (c - '0');
    if (seen_point) --out.exp10;
  }
  if (!any_digit) fail_syntax(text);

  const std::string_view suffix = text.substr(i);
  struct Suffix {
    std::string_view name;
    int exp10;
    int exp2;
  };
  static constexpr Suffix kSuffixes[] = {
      {"", 0, 0},    {"n", -9, 0},  {"u", -6, 0},  {"m", -3, 0}, {"k", 3, 0},   {"M", 6, 0},
      {"G", 9, 0},   {"T", 12, 0},  {"P", 15, 0},  {"E", 18, 0}, {"Ki", 0, 10}, {"Mi", 0, 20},
      {"Gi", 0, 30}, {"Ti", 0, 40}, {"Pi", 0, 50}, {"Ei", 0, 60}};
  for (const auto& s : kSuffixes) {
    if (suffix == s.name) {
      out.exp10 += s.exp10;
      out.exp2 += s.exp2;
      return out;
    }
  }
  if (suffix[0] == 'e' || suffix[0] == 'E') {
    std::string_view exponent = suffix.substr(1);
    bool negative_exponent = false;
    if (!exponent.empty() && (exponent[0] == '+' || exponent[0] == '-')) {
      negative_exponent = exponent[0] == '-';
      exponent.remove_prefix(1);
    }
    if (exponent.empty() || exponent.size() > 4) fail_syntax(text);
    int value = 0;
    for (char c : exponent) {
      if (!std::isdigit(static_cast<unsigned char>(c))) fail_syntax(text);
      value = value * 10 + (c - '0');
    }
    out.exp10 += negative_exponent ? -value : value;
    return out;
  }
  fail_syntax(text);
}

// ceil(value * 10^scale10) as int64.
std::int64_t scaled(std::string_view text, int scale10) {
  const Parsed p = parse(text);
  Int128 value = p.digits;
  int exp10 = p.exp10 + scale10;
  const auto too_large = [&] { fail(text, "the value does not fit in a 64-bit integer"); };
  for (int k = 0; k < p.exp2; ++k) {
    value *= 2;
    if (value > kOverflowGuard) too_large();
  }
  for (; exp10 > 0; --exp10) {
    if (value == 0) break;
    value *= 10;
    if (value > kOverflowGuard) too_large();
  }
  bool remainder = false;
  for (; exp10 < 0; ++exp10) {
    if (value % 10 != 0) remainder = true;
    value /= 10;
  }
  // Round towards +infinity: a positive value with a dropped fraction goes up, a negative one
  // simply truncates towards zero (which is up).
  if (p.negative) {
    value = -value;
  } else if (remainder) {
    value += 1;
  }
  if (value > kInt64Max || value < kInt64Min) too_large();
  return static_cast<std::int64_t>(value);
}

std::string json_text(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_integer()) return value.dump();
  if (value.is_number_float()) {
    // Shortest round-trip form ("0.5", "1e-05"); parse() accepts both.
    return value.dump();
  }
  throw api::bad_request("invalid quantity " + value.dump() + ": expected a string or a number");
}

}  // namespace

std::int64_t parse_quantity_milli(std::string_view text) {
  return scaled(text, 3);
}
std::int64_t parse_quantity_value(std::string_view text) {
  return scaled(text, 0);
}

std::int64_t quantity_milli(const Json& value) {
  return parse_quantity_milli(json_text(value));
}
std::int64_t quantity_value(const Json& value) {
  return parse_quantity_value(json_text(value));
}

}  // namespace skiff::scheduler
