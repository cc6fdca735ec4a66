#pragma once
// Builds the proxy's snapshot from what the node sees: the Ingresses, the Services and
// EndpointSlices behind their backends, and the TLS Secrets they name. Never throws on bad
// objects: what cannot be used is left out and described in `problems`, once per build.
#include <memory>
#include <string>
#include <vector>

#include "agent/ingress/ingress_snapshot.h"
#include "agent/ingress/tls_contexts.h"
#include "pkg/api/json.h"

namespace skiff::agent::ingress {

struct SnapshotInput {
  std::vector<Json> ingresses;
  Json services = Json::array();
  Json endpoint_slices = Json::array();
  std::vector<Json> secrets;  // those the node was sent: only the ones Ingresses name are used
};

struct SnapshotBuild {
  std::shared_ptr<const IngressSnapshot> snapshot;
  std::vector<std::string> problems;
};

// `certificates` keeps TLS contexts between builds (it is the builder's only state).
SnapshotBuild build_snapshot(const SnapshotInput& input, CertificateCache& certificates);

}  // namespace skiff::agent::ingress
