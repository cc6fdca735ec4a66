#include "server/controllers/ingress_class_bootstrap.h"

#include "pkg/log/log.h"
#include "server/controllers/ingress_status.h"

namespace skiff::controllers {

Json skiff_ingress_class() {
  return {{"apiVersion", "networking.k8s.io/v1"},
          {"kind", "IngressClass"},
          {"metadata",
           {{"name", kIngressClass},
            {"annotations", {{"ingressclass.kubernetes.io/is-default-class", "true"}}}}},
          {"spec", {{"controller", kIngressController}}}};
}

IngressClassBootstrap::IngressClassBootstrap(Client& client)
    : client_(client),
      loop_("ingressclass-bootstrap", [this](const std::string& key) { return sync(key); }) {}

void IngressClassBootstrap::start() {
  loop_.start(1);
  loop_.enqueue(kIngressClass);
}

SyncResult IngressClassBootstrap::sync(const std::string&) {
  try {
    create(client_, resource_of("networking.k8s.io/v1", "IngressClass"), skiff_ingress_class());
    log::info("created the default IngressClass", {{"name", kIngressClass}});
  } catch (const std::exception& error) {
    if (!is_api_error(error, 409)) throw;  // kept as it is: the user's edits stay
  }
  return SyncResult::done();
}

}  // namespace skiff::controllers
