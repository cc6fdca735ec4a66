#pragma once
// The server's join token, written to <data-dir>/server/node-token (mode 0600) in the k3s form
// K10<sha256 of the CA bundle>::server:<secret>, so the one line a user copies to a new node
// both proves the node may join and pins the server's CA.
#include <string>

#include "pkg/pki/join_token.h"

namespace skiff::security {

// The secret is `given` (--token: a bare secret, or a full K10 token whose hash must match
// `ca_bundle`), else the one saved in `path` (a K10 token, or a bare secret from before tokens
// carried the CA hash), else a new random one. The file is (re)written in the K10 form when it
// differs. Throws std::runtime_error for a given K10 token of another CA, or an unwritable file.
pki::JoinToken load_or_create_node_token(const std::string& path, const std::string& given,
                                         const std::string& ca_bundle);

}  // namespace skiff::security
