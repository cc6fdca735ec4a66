#pragma once
// YAML 1.2 core-schema scalar resolution, shared by the parser (plain scalar -> JSON value) and
// the emitter (does this string need quotes to stay a string?). Internal to pkg/yaml.
#include <optional>
#include <string_view>

#include "pkg/api/json.h"

namespace skiff::yaml::detail {

// The JSON value a plain (unquoted, untagged) scalar stands for under the core schema:
// null/~/empty, true/false, decimal/0o/0x ints, floats, .inf/.nan; anything else is a string.
Json resolve_plain_scalar(std::string_view text);

// Parses `text` as a core-schema int (decimal, 0o octal, 0x hex); nullopt when it is not one.
std::optional<Json> parse_int(std::string_view text);
// Parses `text` as a core-schema float (including .inf/.nan); nullopt when it is not one.
std::optional<Json> parse_float(std::string_view text);
// true/false spellings of the core schema; nullopt otherwise.
std::optional<bool> parse_bool(std::string_view text);
bool is_null_word(std::string_view text);

// True when a plain `text` would be read back as something other than this exact string by
// a YAML 1.2 or 1.1 reader (kubectl's go-yaml is 1.1: yes/no/on/off, 0777, 1_000, 1:30).
bool plain_reads_as_non_string(std::string_view text);

}  // namespace skiff::yaml::detail
