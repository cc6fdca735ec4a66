#pragma once
// A bootstrap token as Kubernetes stores it: a Secret named "bootstrap-token-<id>" in
// kube-system, of type "bootstrap.kubernetes.io/token", whose data (base64) holds token-id,
// token-secret, an optional expiration (RFC 3339, absent = never), the usages
// ("usage-bootstrap-<usage>": "true") and a description. Shared by `skiff token` (writes and
// lists them) and the server (checks one a joining node presents), so both read the same shape.
//
// Pure functions over JSON; no store or network here. Nothing here puts the token secret in an
// error message.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pkg/api/json.h"

namespace skiff::api {

inline constexpr const char* kBootstrapTokenNamespace = "kube-system";
inline constexpr const char* kBootstrapTokenSecretType = "bootstrap.kubernetes.io/token";
inline constexpr const char* kBootstrapTokenNamePrefix = "bootstrap-token-";

// "bootstrap-token-<id>".
std::string bootstrap_token_secret_name(std::string_view id);

struct BootstrapTokenSecret {
  std::string id;
  std::string secret;
  std::optional<std::chrono::system_clock::time_point> expiration;  // none: never expires
  std::vector<std::string> usages;  // "authentication", "signing", in key order
  std::string description;

  bool usable_for(std::string_view usage) const;
};

// The Secret object to POST (apiVersion, kind, metadata.name/namespace, type, data in base64).
// The expiration is written with second precision.
Json bootstrap_token_secret_json(const BootstrapTokenSecret& token);

// Reads a Secret object of the bootstrap token type; none, with `error` in words, when the
// type is another, a required field (token-id, token-secret) is missing, a value is not
// base64, or the expiration is not RFC 3339 (Kubernetes treats such a token as invalid).
std::optional<BootstrapTokenSecret> read_bootstrap_token_secret(const Json& secret,
                                                                std::string& error);

}  // namespace skiff::api
