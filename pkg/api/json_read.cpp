#include "pkg/api/json_read.h"

#include <cstdint>
#include <limits>
#include <string>

#include "pkg/api/json_plain_text.h"

namespace skiff::api {
namespace {

// Nesting deeper than this goes to nlohmann (whose parser has no such bound): the fast path
// recurses and must not run out of stack on a hostile body.
constexpr int kMaxDepth = 128;

// Reads the shapes API objects are made of; read() returns false at the first thing it does
// not take, and the caller starts over with nlohmann.
class FastReader {
 public:
  explicit FastReader(std::string_view text) : at_(text.data()), end_(text.data() + text.size()) {}

  bool read(Json& out) {
    skip_whitespace();
    if (!read_value(out, 0)) return false;
    skip_whitespace();
    return at_ == end_;
  }

 private:
  void skip_whitespace() {
    while (at_ != end_ && (*at_ == ' ' || *at_ == '\n' || *at_ == '\r' || *at_ == '\t')) ++at_;
  }

  bool read_value(Json& out, int depth) {
    if (at_ == end_ || depth > kMaxDepth) return false;
    switch (*at_) {
      case '{':
        return read_object(out, depth);
      case '[':
        return read_array(out, depth);
      case '"': {
        std::string text;
        if (!read_string(text)) return false;
        out = std::move(text);
        return true;
      }
      case 't':
        return read_literal("true", Json(true), out);
      case 'f':
        return read_literal("false", Json(false), out);
      case 'n':
        return read_literal("null", Json(nullptr), out);
      default:
        return read_integer(out);
    }
  }

  bool read_object(Json& out, int depth) {
    out = Json::object();
    auto& members = out.get_ref<Json::object_t&>();
    return read_sequence('}', [&] {
      std::string key;
      if (at_ == end_ || *at_ != '"' || !read_string(key)) return false;
      skip_whitespace();
      if (at_ == end_ || *at_ != ':') return false;
      ++at_;
      skip_whitespace();
      // A repeated key keeps its last value, as parse() does.
      return read_value(members[std::move(key)], depth + 1);
    });
  }

  bool read_array(Json& out, int depth) {
    out = Json::array();
    auto& items = out.get_ref<Json::array_t&>();
    return read_sequence(']', [&] { return read_value(items.emplace_back(), depth + 1); });
  }

  // The elements between the opening bracket at `at_` and `close`, separated by commas.
  template <typename ReadElement>
  bool read_sequence(char close, ReadElement read_element) {
    ++at_;  // '{' or '['
    skip_whitespace();
    if (at_ != end_ && *at_ == close) {
      ++at_;
      return true;
    }
    for (;;) {
      skip_whitespace();
      if (!read_element()) return false;
      skip_whitespace();
      if (at_ == end_) return false;
      if (*at_ == ',') {
        ++at_;
        continue;
      }
      if (*at_ != close) return false;
      ++at_;
      return true;
    }
  }

  // A string of printable ASCII without escapes; anything else is nlohmann's.
  bool read_string(std::string& out) {
    const char* start = ++at_;  // past '"'
    at_ = skip_plain_json_text(at_, end_);
    if (at_ == end_ || *at_ != '"') return false;
    out.assign(start, at_);
    ++at_;
    return true;
  }

  bool read_literal(std::string_view word, Json value, Json& out) {
    if (static_cast<size_t>(end_ - at_) < word.size() || std::string_view(at_, word.size()) != word)
      return false;
    at_ += word.size();
    out = std::move(value);
    return true;
  }

  // parse()'s types: a non-negative integer is unsigned, a negative one signed. Fractions,
  // exponents and integers beyond 64 bits (parse() makes those floating-point) are not taken.
  bool read_integer(Json& out) {
    const bool negative = *at_ == '-';
    if (negative) ++at_;
    if (at_ == end_ || *at_ < '0' || *at_ > '9') return false;
    if (*at_ == '0' && at_ + 1 != end_ && at_[1] >= '0' && at_[1] <= '9') return false;
    std::uint64_t magnitude = 0;
    while (at_ != end_ && *at_ >= '0' && *at_ <= '9') {
      if (__builtin_mul_overflow(magnitude, 10u, &magnitude) ||
          __builtin_add_overflow(magnitude, static_cast<unsigned>(*at_ - '0'), &magnitude))
        return false;
      ++at_;
    }
    if (at_ != end_ && (*at_ == '.' || *at_ == 'e' || *at_ == 'E')) return false;
    if (!negative) {
      out = magnitude;
      return true;
    }
    constexpr auto kLimit =
        static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) + 1;
    if (magnitude > kLimit) return false;
    out = magnitude == kLimit ? std::numeric_limits<std::int64_t>::min()
                              : -static_cast<std::int64_t>(magnitude);
    return true;
  }

  const char* at_;
  const char* end_;
};

}  // namespace

Json read_json_text(std::string_view text) {
  Json value;
  if (FastReader(text).read(value)) return value;
  return Json::parse(text);
}

Json read_json_text_or_discarded(std::string_view text) {
  Json value;
  if (FastReader(text).read(value)) return value;
  return Json::parse(text, nullptr, /*allow_exceptions=*/false);
}

}  // namespace skiff::api
