#pragma once
// Checking a bootstrap token (made by `skiff token create`) that a joining node presents, as
// Kubernetes' bootstrap token authenticator does: the Secret kube-system/bootstrap-token-<id>
// must exist, be of type bootstrap.kubernetes.io/token, hold the same token-id, not be marked
// for deletion, allow usage-bootstrap-authentication, hold the same secret (compared in
// constant time) and not have expired.
//
// Reads the store directly (no API request, no authorization): pass the store the API server
// uses, i.e. the encrypting one when secrets encryption is on, or the Secret reads as garbage.
// Checks happen in an order that tells nobody without the secret more than "this id exists":
// the secret is compared before usage, deletion and expiry are looked at.
// The reason names the token id (public by design) and never the secret. Kubernetes answers
// the client only "401 Unauthorized" and logs the reason; that choice is the caller's.
#include <chrono>
#include <string>

#include "pkg/pki/join_token.h"
#include "server/store/store.h"

namespace skiff::security {

// "" when `token` may authenticate at `now`; otherwise why not, in words, e.g.
// `unknown token "abcdef"`, `token "abcdef" expired at 2026-11-27T01:00:00Z`.
// Store::get is not const, hence a non-const store. Throws what the store throws
// (StoreError{Unavailable}, a decryption failure): an outage is not a wrong token.
std::string check_bootstrap_token(store::Store& store, const pki::BootstrapToken& token,
                                  std::chrono::system_clock::time_point now);

}  // namespace skiff::security
