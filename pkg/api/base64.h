#pragma once
// Standard base64 (RFC 4648, with padding), as Kubernetes uses for Secret data in JSON.
#include <optional>
#include <string>
#include <string_view>

namespace skiff::api {

std::string base64_encode(std::string_view bytes);
// The bytes of standard base64 text (padding optional, no whitespace); nullopt when malformed.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace skiff::api
