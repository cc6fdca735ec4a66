#pragma once
// A JSON document read into a Json tree, the same tree (values and number types) nlohmann's
// parse() builds, about twice as fast for API objects.
//
// parse() reads every character through its input adapter and copies strings one character
// at a time; request bodies are mostly ASCII strings with nothing escaped (names, labels,
// images, base64 data), and decoding them was half of the 9% of the server's CPU a create
// spends on its body. Here such strings are copied whole. Anything else (an escape, a
// non-ASCII byte, a number with a fraction or exponent or out of 64-bit range, a byte-order
// mark, malformed text) sends the whole document to nlohmann, so the result, and the
// parse_error for bad input with its message, are exactly parse()'s.
#include <string_view>

#include "pkg/api/json.h"

namespace skiff::api {

// Json::parse(text): throws Json::parse_error on malformed text.
Json read_json_text(std::string_view text);

// Json::parse(text, nullptr, false): a discarded value on malformed text.
Json read_json_text_or_discarded(std::string_view text);

}  // namespace skiff::api
