// to_yaml: JSON -> block-style YAML laid out the way kubectl prints objects.
#include <cmath>
#include <cstdio>
#include <string>

#include "pkg/yaml/core_schema.h"
#include "pkg/yaml/yaml.h"

namespace skiff::yaml {
namespace {

bool is_control(unsigned char c) {
  return c < 0x20 || c == 0x7f;
}

bool has_control_except(std::string_view s, std::string_view allowed) {
  for (unsigned char c : s)
    if (is_control(c) && allowed.find(static_cast<char>(c)) == std::string_view::npos) return true;
  return false;
}

std::string double_quoted(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (is_control(c)) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02X", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string single_quoted(std::string_view s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

// Characters that start some other YAML construct when they begin a plain scalar.
bool starts_with_indicator(std::string_view s) {
  static constexpr std::string_view kAlways = ",[]{}#&*!|>'\"%@`";
  if (kAlways.find(s[0]) != std::string_view::npos) return true;
  if (s[0] == '-' || s[0] == '?' || s[0] == ':') return s.size() == 1 || s[1] == ' ';
  return s.starts_with("---") || s.starts_with("...");
}

bool plain_is_safe(std::string_view s) {
  if (s.empty() || detail::plain_reads_as_non_string(s)) return false;
  if (s.front() == ' ' || s.back() == ' ' || s.back() == ':') return false;
  if (starts_with_indicator(s)) return false;
  if (s.find(": ") != std::string_view::npos || s.find(" #") != std::string_view::npos)
    return false;
  return !has_control_except(s, "");
}

// A string as a one-line scalar: plain when it reads back as itself, else quoted.
std::string inline_string(std::string_view s) {
  if (plain_is_safe(s)) return std::string(s);
  if (has_control_except(s, "")) return double_quoted(s);
  // Strings that would read as another type use double quotes, as kubectl prints "true"/"1".
  if (s.empty() || detail::plain_reads_as_non_string(s)) return double_quoted(s);
  return single_quoted(s);
}

bool wants_block(std::string_view s) {
  return s.find('\n') != std::string_view::npos && !has_control_except(s, "\n\t");
}

std::string scalar_text(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::boolean:
      return v.get<bool>() ? "true" : "false";
    case Json::value_t::number_float: {
      double d = v.get<double>();
      if (std::isnan(d)) return ".nan";
      if (std::isinf(d)) return d > 0 ? ".inf" : "-.inf";
      return v.dump();
    }
    case Json::value_t::string:
      return inline_string(v.get_ref<const std::string&>());
    default:
      return v.dump();
  }
}

class Emitter {
 public:
  std::string take() { return std::move(out_); }

  // Writes `value` after a "key:" or "-" that is already on the line. `indent` is the column
  // of that key/dash; nested content goes below it.
  void value_after_indicator(const Json& v, int indent, bool in_sequence) {
    if (v.is_object() && !v.empty()) {
      if (in_sequence) {
        out_ += ' ';
        mapping(v, indent + 2, /*first_inline=*/true);
      } else {
        out_ += '\n';
        mapping(v, indent + 2, false);
      }
    } else if (v.is_array() && !v.empty()) {
      if (in_sequence) {
        out_ += ' ';
        sequence(v, indent + 2, true);
      } else {
        out_ += '\n';
        sequence(v, indent, false);  // kubectl style: "- item" at the key's own column
      }
    } else if (v.is_object()) {
      out_ += " {}\n";
    } else if (v.is_array()) {
      out_ += " []\n";
    } else if (v.is_string() && wants_block(v.get_ref<const std::string&>())) {
      block_scalar(v.get_ref<const std::string&>(), indent + 2);
    } else {
      out_ += ' ';
      out_ += scalar_text(v);
      out_ += '\n';
    }
  }

  void mapping(const Json& obj, int indent, bool first_inline) {
    bool first = true;
    for (const auto& [key, value] : obj.items()) {
      if (!(first && first_inline)) out_.append(indent, ' ');
      first = false;
      out_ += wants_block(key) ? double_quoted(key) : inline_string(key);
      out_ += ':';
      value_after_indicator(value, indent, false);
    }
  }

  void sequence(const Json& arr, int indent, bool first_inline) {
    bool first = true;
    for (const auto& item : arr) {
      if (!(first && first_inline)) out_.append(indent, ' ');
      first = false;
      out_ += '-';
      value_after_indicator(item, indent, true);
    }
  }

  void top_level(const Json& v) {
    if (v.is_object() && !v.empty()) {
      mapping(v, 0, false);
    } else if (v.is_array() && !v.empty()) {
      sequence(v, 0, false);
    } else if (v.is_string() && wants_block(v.get_ref<const std::string&>())) {
      block_scalar(v.get_ref<const std::string&>(), 2);
      out_.erase(0, 1);  // no leading space before "|"
    } else {
      out_ += v.is_object() ? "{}" : v.is_array() ? "[]" : scalar_text(v);
      out_ += '\n';
    }
  }

 private:
  // Literal block scalar; the chomping indicator keeps trailing newlines exact.
  void block_scalar(std::string_view s, int indent) {
    std::size_t trailing = 0;
    while (trailing < s.size() && s[s.size() - 1 - trailing] == '\n') ++trailing;
    std::string_view body = s.substr(0, s.size() - trailing);
    out_ += " |";
    std::size_t first_text = body.find_first_not_of('\n');
    if (first_text != std::string_view::npos &&
        (body[first_text] == ' ' || body[first_text] == '\t'))
      out_ += '2';  // content starts with whitespace: say the indentation explicitly
    out_ += trailing == 0 ? "-" : trailing == 1 ? "" : "+";
    out_ += '\n';
    std::size_t start = 0;
    while (start <= body.size()) {
      std::size_t end = body.find('\n', start);
      if (end == std::string_view::npos) end = body.size();
      std::string_view line = body.substr(start, end - start);
      if (!line.empty()) out_.append(indent, ' ').append(line);
      out_ += '\n';
      start = end + 1;
    }
    for (std::size_t i = 1; i < trailing; ++i) out_ += '\n';
  }

  std::string out_;
};

}  // namespace

std::string to_yaml(const Json& value) {
  Emitter emitter;
  emitter.top_level(value);
  return emitter.take();
}

}  // namespace skiff::yaml
