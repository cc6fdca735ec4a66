#pragma once
// The server's say on node certificates beyond the CA's signature: a node that joined again
// has a new identity, and certificates issued to it before no longer count
// (server/security/node_identities.h keeps that record).
#include <chrono>
#include <functional>
#include <string>

namespace skiff::nodeservice {

// "" when a certificate of `node` valid from `not_before` still counts, else why not.
using NodeCertificateCheck = std::function<std::string(
    const std::string& node, std::chrono::system_clock::time_point not_before)>;

}  // namespace skiff::nodeservice
