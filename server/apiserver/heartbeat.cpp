#include "server/apiserver/heartbeat.h"

#include "pkg/api/json_compare.h"

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

bool equal_managed_fields(const Json& a, const Json& b) {
  if (!a.is_array() || !b.is_array() || a.size() != b.size()) return a == b;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!api::equal_members_except(a[i], b[i],
                                   [](const std::string& key) { return key == "time"; }))
      return false;
  }
  return true;
}

// Equal apart from what the store or the API server rewrites on every write:
// metadata.resourceVersion and the time of each managedFields entry.
bool equal_apart_from_bookkeeping(const Json& current, const Json& desired) {
  const auto metadata_or_null = [](const Json& object) -> const Json* {
    auto it = object.find("metadata");
    return it == object.end() ? nullptr : &*it;
  };
  if (!current.is_object() || !desired.is_object()) return current == desired;
  if (!api::equal_members_except(current, desired,
                                 [](const std::string& key) { return key == "metadata"; }))
    return false;
  const Json* before = metadata_or_null(current);
  const Json* after = metadata_or_null(desired);
  if (!before || !after) return before == after;
  if (!before->is_object() || !after->is_object()) return *before == *after;
  if (!api::equal_members_except(*before, *after, [](const std::string& key) {
        return key == "resourceVersion" || key == "managedFields";
      }))
    return false;
  auto managed_before = before->find("managedFields");
  auto managed_after = after->find("managedFields");
  const bool has_before = managed_before != before->end();
  const bool has_after = managed_after != after->end();
  if (has_before != has_after) return false;
  return !has_before || equal_managed_fields(*managed_before, *managed_after);
}

}  // namespace

UpdateKind classify_update(const Json& current, const Json& desired) {
  if (equal_apart_from_bookkeeping(current, desired)) return UpdateKind::NoOp;
  const bool heartbeat_kind =
      (is_lease(current) && is_lease(desired)) || (is_node(current) && is_node(desired));
  if (!heartbeat_kind) return UpdateKind::StateChange;
  Json before = current;
  Json after = desired;
  strip_heartbeats(before);
  strip_heartbeats(after);
  return equal_apart_from_bookkeeping(before, after) ? UpdateKind::Heartbeat
                                                     : UpdateKind::StateChange;
}

}  // namespace skiff::apiserver
