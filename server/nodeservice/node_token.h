#pragma once
// The shared join token agents present (a k3s user knows it as the node-token file). Until
// the security issue brings CA-pinned tokens, it is a random secret compared as is.
#include <string>

namespace skiff::nodeservice {

// `given` (--token) when not empty; else the token saved in `path`, or a new random one
// (64 hex digits) saved there with mode 0600. A given token is saved too, so agents on the
// server's machine can read it. Throws std::runtime_error when the file cannot be read or
// written.
std::string load_or_create_node_token(const std::string& path, const std::string& given);

}  // namespace skiff::nodeservice
