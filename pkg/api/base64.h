#pragma once
// Standard base64 (RFC 4648, with padding), as Kubernetes uses for Secret data in JSON.
#include <string>
#include <string_view>

namespace skiff::api {

std::string base64_encode(std::string_view bytes);

}  // namespace skiff::api
