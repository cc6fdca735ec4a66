#pragma once
// The IngressClass `skiff` (controller skiff.io/ingress, marked the cluster's default), created
// at start when it is missing, as k3s ships Traefik's class. It is created once per start and
// never corrected afterwards: an administrator may edit it (take the default mark away, for
// example) or delete it, and only the next start puts a deleted class back. A failed create is
// retried with backoff; an existing class (409) is success. Not run with `--disable ingress`.
#include <string>

#include "pkg/api/json.h"
#include "server/controllers/client.h"
#include "server/controllers/controller.h"

namespace skiff::controllers {

// The class as it is created (no resourceVersion). Pure.
Json skiff_ingress_class();

class IngressClassBootstrap {
 public:
  explicit IngressClassBootstrap(Client& client);  // client must outlive this

  void start();  // one worker; the class is created soon after
  void stop() { loop_.stop(); }
  ControllerLoop& loop() { return loop_; }

  SyncResult sync(const std::string& key);

 private:
  Client& client_;
  ControllerLoop loop_;
};

}  // namespace skiff::controllers
