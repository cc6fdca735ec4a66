// Join tokens (K10<CA hash>::<credential>) and the random secrets inside them.
#include "pkg/pki/join_token.h"

#include <openssl/crypto.h>
#include <sys/random.h>

#include <cerrno>

#include "pkg/pki/pki.h"

namespace skiff::pki {

namespace {

constexpr std::string_view kPrefix = "K10";
constexpr std::string_view kSeparator = "::";
constexpr size_t kHashLength = 64;
constexpr size_t kBootstrapIdLength = 6;
constexpr size_t kBootstrapSecretLength = 16;
constexpr std::string_view kTokenAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}
bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool is_token_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
// What a credential may hold: printable ASCII without spaces (it travels in HTTP headers).
bool is_credential_char(char c) {
  return c > ' ' && c < 0x7f;
}

std::optional<JoinToken> reject(std::string* error, std::string why) {
  if (error) *error = "not a valid join token: " + std::move(why);
  return std::nullopt;
}

bool all_token_chars(std::string_view text) {
  for (char c : text)
    if (!is_token_char(c)) return false;
  return true;
}

}  // namespace

std::string JoinToken::str() const {
  return std::string(kPrefix) + ca_hash + std::string(kSeparator) + credential;
}

std::optional<JoinToken> parse_join_token(const std::string& text, std::string* error) {
  // Tokens are pasted or read from files: surrounding whitespace (a trailing newline) is not
  // part of them.
  std::string_view token = text;
  while (!token.empty() && is_space(token.front())) token.remove_prefix(1);
  while (!token.empty() && is_space(token.back())) token.remove_suffix(1);
  // Messages never quote the credential: it is a secret.
  if (token.empty()) return reject(error, "it is empty");
  if (token.substr(0, kPrefix.size()) != kPrefix)
    return reject(error, "it does not start with K10 (expected K10<CA hash>::<credential>)");
  token.remove_prefix(kPrefix.size());
  size_t separator = token.find(kSeparator);
  if (separator == std::string_view::npos)
    return reject(error, "'::' between the CA hash and the credential is missing");
  std::string_view hash = token.substr(0, separator);
  std::string_view credential = token.substr(separator + kSeparator.size());
  if (hash.size() != kHashLength)
    return reject(error, "the CA hash must be 64 hex digits, it has " +
                             std::to_string(hash.size()) + " characters");
  JoinToken parsed;
  for (char c : hash) {
    if (!is_hex(c)) return reject(error, "the CA hash holds a character that is not a hex digit");
    parsed.ca_hash.push_back(static_cast<char>(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c));
  }
  if (credential.empty()) return reject(error, "the credential after '::' is empty");
  for (char c : credential)
    if (!is_credential_char(c))
      return reject(error, "the credential holds a space or a non-printable character");
  parsed.credential = std::string(credential);
  return parsed;
}

std::optional<BootstrapToken> parse_bootstrap_token(const std::string& credential) {
  if (credential.size() != kBootstrapIdLength + 1 + kBootstrapSecretLength) return std::nullopt;
  if (credential[kBootstrapIdLength] != '.') return std::nullopt;
  std::string_view id = std::string_view(credential).substr(0, kBootstrapIdLength);
  std::string_view secret = std::string_view(credential).substr(kBootstrapIdLength + 1);
  if (!all_token_chars(id) || !all_token_chars(secret)) return std::nullopt;
  return BootstrapToken{std::string(id), std::string(secret)};
}

std::string random_token_chars(size_t length) {
  // Bytes at or above the largest multiple of 36 are dropped, so every character is equally
  // likely (a plain `byte % 36` would favour the first letters).
  constexpr unsigned kLimit = 256 - 256 % kTokenAlphabet.size();
  std::string result;
  result.reserve(length);
  unsigned char buffer[64];
  while (result.size() < length) {
    ssize_t n = getrandom(buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw PkiError("no random bytes from the kernel for a token");
    for (ssize_t i = 0; i < n && result.size() < length; ++i)
      if (buffer[i] < kLimit) result.push_back(kTokenAlphabet[buffer[i] % kTokenAlphabet.size()]);
  }
  return result;
}

bool same_secret(const std::string& a, const std::string& b) {
  // The length is not secret (every skiff token has a fixed shape); the bytes are compared in
  // constant time.
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace skiff::pki
