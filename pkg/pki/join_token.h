#pragma once
// Join tokens in the k3s form, so k3s users read them at a glance:
//   K10<sha256 hex of the server's CA bundle>::<username>:<password>
// The server's own node token uses username "server" (K10...::server:<secret>); short-lived
// tokens made by `skiff token create` are bootstrap tokens "<id>.<secret>" (id: 6 of [a-z0-9],
// secret: 16 of [a-z0-9], as Kubernetes bootstrap tokens), written K10<hash>::<id>.<secret>.
// The CA hash pins the server: an agent refuses a server whose /cacerts does not hash to it.
#include <optional>
#include <string>

namespace skiff::pki {

struct JoinToken {
  std::string ca_hash;     // 64 lower-case hex digits
  std::string credential;  // what is presented to the server: "server:<secret>" or "<id>.<secret>"

  std::string str() const;  // "K10" + ca_hash + "::" + credential
};

// Parses a full token; none when it is not in the K10 form (with a 64-hex-digit hash and a
// non-empty credential). `error`, when given, says what is wrong in words for the user (never
// quoting the credential). Surrounding whitespace (a file's trailing newline) is ignored and an
// upper-case hash is lowered; a credential holding spaces or control characters is refused.
std::optional<JoinToken> parse_join_token(const std::string& text, std::string* error = nullptr);

// A bootstrap token's parts ("abcdef.0123456789abcdef"); none when `credential` is not one.
struct BootstrapToken {
  std::string id;
  std::string secret;
};
std::optional<BootstrapToken> parse_bootstrap_token(const std::string& credential);

// Random secrets from the kernel's CSPRNG: `length` characters of [a-z0-9].
std::string random_token_chars(size_t length);

// Constant-time comparison, for secrets.
bool same_secret(const std::string& a, const std::string& b);

}  // namespace skiff::pki
