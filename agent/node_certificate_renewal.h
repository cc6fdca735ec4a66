#pragma once
// Renews the node's client certificate while the agent runs: every `period` it asks the
// identity to renew when within 90 days of expiry. The node connection picks the new
// certificate up on its next (re)connection; the open one stays valid meanwhile, as the old
// certificate has months left. Failures are logged and retried next period.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "agent/nodeclient/node_identity.h"

namespace skiff::agent {

class NodeCertificateRenewal {
 public:
  NodeCertificateRenewal(nodeclient::NodeIdentity& identity, std::chrono::milliseconds period);
  ~NodeCertificateRenewal();  // stops and joins
  NodeCertificateRenewal(const NodeCertificateRenewal&) = delete;
  NodeCertificateRenewal& operator=(const NodeCertificateRenewal&) = delete;

 private:
  nodeclient::NodeIdentity& identity_;
  const std::chrono::milliseconds period_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace skiff::agent
