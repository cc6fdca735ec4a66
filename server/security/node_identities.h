#pragma once
// Which node certificates still count. A node that joins again with the token (reinstalled,
// or its disk lost) is given a new identity, and the certificates issued to it before stop
// being accepted: whoever kept the old key can no longer act as the node. Renewals made with
// the current certificate do not move the line, so a renewing agent's open connections, still
// on the previous certificate, keep working.
//
// The line per node is the notBefore of the certificate issued at its latest join; a
// certificate of that node is accepted when its notBefore is not earlier. Kept in
// <data-dir>/server/tls/node-identities.json ({"<node>": <unix seconds>}, mode 0600) next to
// the CA that signs the certificates, so it survives restarts.
#include <chrono>
#include <map>
#include <mutex>
#include <string>

namespace skiff::security {

class NodeIdentities {
 public:
  using TimePoint = std::chrono::system_clock::time_point;

  // Reads `path` when it exists. Throws std::runtime_error naming the file when it is not the
  // expected JSON (the server then refuses to start rather than trusting every old certificate).
  explicit NodeIdentities(std::string path);

  // The node joined with the token and was issued a certificate valid from `not_before`.
  // Persists before returning; throws when the file cannot be written.
  void joined(const std::string& node, TimePoint not_before);

  // "" when a certificate of `node` valid from `not_before` is current, else why not.
  std::string check(const std::string& node, TimePoint not_before) const;

 private:
  const std::string path_;
  mutable std::mutex mutex_;
  std::map<std::string, int64_t> joined_at_;  // node -> unix seconds
};

}  // namespace skiff::security
