#include "server/security/node_token.h"

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "pkg/pki/pki.h"

namespace skiff::security {

namespace {

constexpr std::string_view kServerUser = "server:";

std::string read_first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (in) std::getline(in, line);
  while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
  return line;
}

// The secret in a token text: the password of a K10 "server:<secret>" credential, or the text
// itself when it is a bare secret.
std::string secret_of(const std::string& text) {
  if (text.starts_with("K10")) {
    std::string error;
    auto token = pki::parse_join_token(text, &error);
    if (!token) throw std::runtime_error("not a valid join token: " + error);
    if (!token->credential.starts_with(kServerUser))
      throw std::runtime_error("the server token must be of the form K10<hash>::server:<secret>");
    return token->credential.substr(kServerUser.size());
  }
  if (text.starts_with(kServerUser)) return text.substr(kServerUser.size());
  return text;
}

}  // namespace

pki::JoinToken load_or_create_node_token(const std::string& path, const std::string& given,
                                         const std::string& ca_bundle) {
  const std::string ca_hash = pki::sha256_hex(ca_bundle);
  std::string secret;
  if (!given.empty()) {
    if (given.starts_with("K10")) {
      auto token = pki::parse_join_token(given);
      if (token && token->ca_hash != ca_hash)
        throw std::runtime_error(
            "--token carries the CA hash of another cluster; give the bare secret (the part "
            "after 'server:') or this cluster's token");
    }
    secret = secret_of(given);
  } else {
    const std::string saved = read_first_line(path);
    secret = saved.empty() ? pki::random_token_chars(32) : secret_of(saved);
  }
  if (secret.empty()) throw std::runtime_error("the join token's secret is empty");
  pki::JoinToken token{ca_hash, std::string(kServerUser) + secret};
  if (read_first_line(path) != token.str()) pki::write_file(path, token.str() + "\n", 0600);
  return token;
}

}  // namespace skiff::security
