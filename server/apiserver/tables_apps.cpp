// Tables for apps/v1 workloads: Deployments and ReplicaSets.
#include "server/apiserver/table_columns.h"

namespace skiff::apiserver::tables {

namespace {

const char* kContainersDescription = "Names of each container in the template.";
const char* kImagesDescription = "Images referenced by each container in the template.";

Json deployment_row(const Json& deployment, TimePoint now) {
  const Json& template_spec = node_at(deployment, "spec.template.spec");
  const long long desired = int_at(deployment, "spec.replicas", 1);
  const long long ready = int_at(deployment, "status.readyReplicas");
  return Json::array(
      {object_name(deployment), std::to_string(ready) + "/" + std::to_string(desired),
       int_at(deployment, "status.updatedReplicas"), int_at(deployment, "status.availableReplicas"),
       object_age(deployment, now), container_names(template_spec), container_images(template_spec),
       label_selector_string(node_at(deployment, "spec.selector"))});
}

Json replicaset_row(const Json& replicaset, TimePoint now) {
  const Json& template_spec = node_at(replicaset, "spec.template.spec");
  return Json::array({object_name(replicaset), int_at(replicaset, "spec.replicas", 1),
                      int_at(replicaset, "status.replicas"),
                      int_at(replicaset, "status.readyReplicas"), object_age(replicaset, now),
                      container_names(template_spec), container_images(template_spec),
                      label_selector_string(node_at(replicaset, "spec.selector"))});
}

}  // namespace

Printer deployment_printer() {
  return {{name_column(),
           {"Ready", "string", "", "Number of the pod with ready state", 0},
           {"Up-to-date", "string", "",
            "Total number of non-terminated pods targeted by this deployment that have the "
            "desired template spec.",
            0},
           {"Available", "string", "",
            "Total number of available pods (ready for at least minReadySeconds) targeted by "
            "this deployment.",
            0},
           age_column(),
           {"Containers", "string", "", kContainersDescription, 1},
           {"Images", "string", "", kImagesDescription, 1},
           {"Selector", "string", "", "Label selector for pods.", 1}},
          deployment_row};
}

Printer replicaset_printer() {
  return {
      {name_column(),
       {"Desired", "integer", "", "Replicas is the number of desired replicas.", 0},
       {"Current", "integer", "", "Replicas is the most recently observed number of replicas.", 0},
       {"Ready", "integer", "", "The number of ready replicas for this replica set.", 0},
       age_column(),
       {"Containers", "string", "", kContainersDescription, 1},
       {"Images", "string", "", kImagesDescription, 1},
       {"Selector", "string", "", "Selector is a label query over pods.", 1}},
      replicaset_row};
}

}  // namespace skiff::apiserver::tables
