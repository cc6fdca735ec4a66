#include "server/apiserver/heartbeat.h"

#include <string>

namespace skiff::apiserver {

namespace {

std::string string_field(const Json& object, const char* name) {
  if (!object.is_object()) return "";
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

bool is_lease(const Json& object) {
  return string_field(object, "kind") == "Lease" &&
         string_field(object, "apiVersion").rfind("coordination.k8s.io/", 0) == 0;
}

bool is_node(const Json& object) {
  return string_field(object, "kind") == "Node" && string_field(object, "apiVersion") == "v1";
}

Json* member(Json& object, const char* name) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(name);
  return it == object.end() ? nullptr : &*it;
}

// Removes what the store or the API server rewrites on every write.
void strip_bookkeeping(Json& object) {
  Json* metadata = member(object, "metadata");
  if (!metadata || !metadata->is_object()) return;
  metadata->erase("resourceVersion");
  if (Json* managed = member(*metadata, "managedFields"); managed && managed->is_array()) {
    for (auto& entry : *managed)
      if (entry.is_object()) entry.erase("time");
  }
}

// Removes the liveness timestamps of the kinds that carry them.
void strip_heartbeats(Json& object) {
  if (is_lease(object)) {
    if (Json* spec = member(object, "spec"); spec && spec->is_object()) spec->erase("renewTime");
    if (Json* metadata = member(object, "metadata"); metadata && metadata->is_object())
      metadata->erase("generation");  // bumped because spec.renewTime changed
    return;
  }
  Json* status = member(object, "status");
  Json* conditions = status ? member(*status, "conditions") : nullptr;
  if (!conditions || !conditions->is_array()) return;
  for (auto& condition : *conditions)
    if (condition.is_object()) condition.erase("lastHeartbeatTime");
}

}  // namespace

UpdateKind classify_update(const Json& current, const Json& desired) {
  Json before = current;
  Json after = desired;
  strip_bookkeeping(before);
  strip_bookkeeping(after);
  if (before == after) return UpdateKind::NoOp;
  const bool heartbeat_kind =
      (is_lease(current) && is_lease(desired)) || (is_node(current) && is_node(desired));
  if (!heartbeat_kind) return UpdateKind::StateChange;
  strip_heartbeats(before);
  strip_heartbeats(after);
  return before == after ? UpdateKind::Heartbeat : UpdateKind::StateChange;
}

}  // namespace skiff::apiserver
