#pragma once
// The server's control loops in one place: the shared informers, the event recorder, the
// Deployment, ReplicaSet and node lifecycle controllers and the scheduler, all writing through
// the API in-process. Start order: handlers registered, informers listed and watching
// (caches synced), then the workers. Stop is the reverse; both are safe at any moment
// because every loop is level-triggered and rebuilds its view from the store.
#include <chrono>
#include <memory>

#include "pkg/http/server.h"
#include "server/store/store.h"

namespace skiff::server {

struct ControllerManagerOptions {
  std::chrono::milliseconds node_monitor_grace_period{40000};
  int replicaset_workers = 2;
  int deployment_workers = 2;
};

class ControllerManager {
 public:
  // `api` is the API server's handler; it and `store` must outlive the manager.
  ControllerManager(store::Store& store, http::Handler api, ControllerManagerOptions options = {});
  ~ControllerManager();
  ControllerManager(const ControllerManager&) = delete;
  ControllerManager& operator=(const ControllerManager&) = delete;

  void start();  // throws when an informer cannot list
  void stop();   // idempotent

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

}  // namespace skiff::server
