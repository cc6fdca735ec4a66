#include "pkg/api/json_text.h"

#include <charconv>

#include "pkg/api/json_plain_text.h"

namespace skiff::api {
namespace {

void append_escaped(std::string& out, unsigned char c) {
  switch (c) {
    case '"':
      out += "\\\"";
      return;
    case '\\':
      out += "\\\\";
      return;
    case '\b':
      out += "\\b";
      return;
    case '\f':
      out += "\\f";
      return;
    case '\n':
      out += "\\n";
      return;
    case '\r':
      out += "\\r";
      return;
    case '\t':
      out += "\\t";
      return;
    default: {
      static constexpr char kHex[] = "0123456789abcdef";
      const char escape[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xf]};
      out.append(escape, sizeof escape);
    }
  }
}

void append_string(std::string& out, const std::string& text) {
  const char* const begin = text.data();
  const char* const end = begin + text.size();
  const size_t start = out.size();
  out.push_back('"');
  const char* run = begin;
  for (const char* p = skip_plain_json_text(begin, end); p != end;
       p = skip_plain_json_text(p + 1, end)) {
    const auto c = static_cast<unsigned char>(*p);
    if (c >= 0x80) {
      // UTF-8 to validate: nlohmann writes (or refuses) the whole string, as dump() would.
      out.resize(start);
      out += Json(text).dump();
      return;
    }
    out.append(run, p);
    append_escaped(out, c);
    run = p + 1;
  }
  out.append(run, end);
  out.push_back('"');
}

template <typename Integer>
void append_integer(std::string& out, Integer value) {
  char digits[24];
  const auto written = std::to_chars(digits, digits + sizeof digits, value);
  out.append(digits, written.ptr);
}

}  // namespace

void append_json_text(std::string& out, const Json& value) {
  switch (value.type()) {
    case Json::value_t::object: {
      out.push_back('{');
      bool first = true;
      for (const auto& [key, member] : value.get_ref<const Json::object_t&>()) {
        if (!first) out.push_back(',');
        first = false;
        append_string(out, key);
        out.push_back(':');
        append_json_text(out, member);
      }
      out.push_back('}');
      return;
    }
    case Json::value_t::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& element : value.get_ref<const Json::array_t&>()) {
        if (!first) out.push_back(',');
        first = false;
        append_json_text(out, element);
      }
      out.push_back(']');
      return;
    }
    case Json::value_t::string:
      append_string(out, value.get_ref<const std::string&>());
      return;
    case Json::value_t::boolean:
      out += value.get<bool>() ? "true" : "false";
      return;
    case Json::value_t::null:
      out += "null";
      return;
    case Json::value_t::number_integer:
      append_integer(out, value.get<Json::number_integer_t>());
      return;
    case Json::value_t::number_unsigned:
      append_integer(out, value.get<Json::number_unsigned_t>());
      return;
    default:  // floating point (nlohmann's shortest round-trip form), binary, discarded
      out += value.dump();
      return;
  }
}

void append_json_string(std::string& out, const std::string& text) {
  append_string(out, text);
}

std::string json_text(const Json& value) {
  std::string out;
  append_json_text(out, value);
  return out;
}

}  // namespace skiff::api
