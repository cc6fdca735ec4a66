#pragma once
// Small text encodings the CLI needs: base64 (kubeconfig *-data, Secret data) and URL
// percent-encoding for query parameters.
#include <string>
#include <string_view>

namespace skiff::kubectl {

std::string base64_encode(std::string_view data);
// Throws KubectlError on malformed input; `what` names the field in the message.
std::string base64_decode(std::string_view text, const std::string& what);
// Percent-encodes everything but RFC 3986 unreserved characters.
std::string url_encode(std::string_view text);

}  // namespace skiff::kubectl
