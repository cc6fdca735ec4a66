#pragma once
// Authentication: who sent a request. In order (as Kubernetes' x509 and token authenticators):
//   1. a TLS client certificate the server verified against its client CA (the TLS layer did
//      the verifying: Request::client_identity) -> CN as the user, O as the groups; a node's
//      certificate must also still be its current one (node_identities.h);
//   2. `Authorization: Bearer <token>` found in the static token file (--token-auth-file, the
//      Kubernetes CSV format: token,user,uid,"group1,group2") -> that user;
//   3. nothing presented -> system:anonymous.
// A bearer token that is not known is an authentication failure (401), not anonymous.
#include <map>
#include <optional>
#include <string>

#include "pkg/http/request.h"
#include "server/security/node_identities.h"
#include "server/security/user_info.h"

namespace skiff::security {

// The static token file's entries by token. Throws std::runtime_error naming the line that is
// malformed (so a typo stops the server at start, not every request later).
std::map<std::string, UserInfo> load_token_file(const std::string& path);
std::map<std::string, UserInfo> parse_token_file(const std::string& text);

class Authenticator {
 public:
  // `node_identities` (optional) must outlive this.
  explicit Authenticator(std::map<std::string, UserInfo> tokens = {},
                         const NodeIdentities* node_identities = nullptr);

  // nullopt: credentials were presented and are not valid.
  std::optional<UserInfo> authenticate(const http::Request& request) const;

 private:
  std::map<std::string, UserInfo> tokens_;
  const NodeIdentities* node_identities_;
};

}  // namespace skiff::security
