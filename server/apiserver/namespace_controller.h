#pragma once
// Namespace lifecycle: the system namespaces exist after start-up; every namespace gets a
// `default` ServiceAccount; a namespace marked for deletion (Terminating) is emptied (every
// namespaced kind; objects with finalizers are marked and waited for), then its `kubernetes`
// finalizer is dropped and the namespace removed, so a GET answers 404 once it is gone.
// Driven by a watch on namespaces; works through the Store directly.
#include <memory>
#include <string>

#include "server/apiserver/key_queue.h"
#include "server/store/store.h"

namespace skiff::apiserver {

// default, kube-system, kube-public, kube-node-lease (created when absent; idempotent).
void ensure_system_namespaces(store::Store& store);

class NamespaceController {
 public:
  explicit NamespaceController(store::Store& store);
  ~NamespaceController();
  void start();  // throws StoreError when the initial list/watch fails
  void stop();

 private:
  bool sync(const std::string& name);
  // Deletes what is left in the namespace; returns how many objects still exist.
  size_t purge(const std::string& name);
  void ensure_default_service_account(const std::string& name);

  store::Store& store_;
  KeyQueue queue_;
  store::WatchPtr watch_;
};

}  // namespace skiff::apiserver
