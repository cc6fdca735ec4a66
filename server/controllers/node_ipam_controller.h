#pragma once
// Node IPAM: gives every Node a pod subnet, spec.podCIDR and spec.podCIDRs, a /24 out of the
// cluster CIDR (--cluster-cidr), as kube-controller-manager's range allocator does.
//
// What is taken is read from the nodes themselves (the informer's cache of the store), so a
// restart rebuilds it and a deleted node's /24 is free again with no bookkeeping. One worker:
// a sync sees its own earlier writes in the cache (the in-process API publishes a write before
// answering), so two nodes never get the same subnet. A node that already has a podCIDR keeps
// it (podCIDR is immutable in Kubernetes); a full range leaves the node without one and says so.
#include <optional>
#include <set>
#include <string>

#include "pkg/util/ipv4.h"
#include "server/controllers/client.h"
#include "server/controllers/controller.h"
#include "server/controllers/event_recorder.h"
#include "server/controllers/informer.h"

namespace skiff::controllers {

// The lowest /24 of `cluster_cidr` whose network address is not in `taken`. Pure.
std::optional<util::Ipv4Cidr> next_pod_cidr(const util::Ipv4Cidr& cluster_cidr,
                                            const std::set<uint32_t>& taken);

class NodeIpamController {
 public:
  // `nodes`, `client` and `events` must outlive the controller. Register before start.
  NodeIpamController(Informer& nodes, Client& client, EventRecorder& events,
                     util::Ipv4Cidr cluster_cidr);

  void start() { loop_.start(1); }  // one worker: see the header comment
  void stop() { loop_.stop(); }
  ControllerLoop& loop() { return loop_; }

  SyncResult sync(const std::string& key);

 private:
  Informer& nodes_;
  Client& client_;
  EventRecorder& events_;
  const util::Ipv4Cidr cluster_cidr_;
  ControllerLoop loop_;
};

}  // namespace skiff::controllers
