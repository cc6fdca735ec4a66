#include "pkg/kubectl/apply_patch.h"

namespace skiff::kubectl {
namespace {

// True when every field `desired` names has the same value in `live`.
bool matches(const Json& desired, const Json& live) {
  if (desired.is_object()) {
    if (!live.is_object()) return false;
    for (const auto& [key, value] : desired.items()) {
      auto it = live.find(key);
      if (it == live.end()) {
        if (!value.is_null()) return false;
        continue;
      }
      if (!matches(value, *it)) return false;
    }
    return true;
  }
  if (desired.is_array()) {
    if (!live.is_array() || desired.size() != live.size()) return false;
    for (std::size_t i = 0; i < desired.size(); ++i)
      if (!matches(desired[i], live[i])) return false;
    return true;
  }
  if (desired.is_number() && live.is_number()) return desired.get<double>() == live.get<double>();
  return desired == live;
}

Json diff(const Json& original, const Json& desired, const Json& live) {
  Json patch = Json::object();
  if (original.is_object()) {
    for (const auto& [key, value] : original.items())
      if (!desired.contains(key) && live.is_object() && live.contains(key)) patch[key] = nullptr;
  }
  for (const auto& [key, value] : desired.items()) {
    auto live_it = live.is_object() ? live.find(key) : live.end();
    if (!live.is_object() || live_it == live.end()) {
      if (!value.is_null()) patch[key] = value;
      continue;
    }
    const Json empty;
    const Json& before = original.is_object() && original.contains(key) ? original.at(key) : empty;
    if (value.is_object() && live_it->is_object()) {
      Json sub = diff(before, value, *live_it);
      if (!sub.empty()) patch[key] = std::move(sub);
      continue;
    }
    // Lists are replaced whole by a merge patch: do so when they changed since the last apply
    // or no longer match the live object.
    bool changed_since_last = value.is_array() && !before.is_null() && before != value;
    if (changed_since_last || !matches(value, *live_it)) patch[key] = value;
  }
  return patch;
}

}  // namespace

std::string last_applied_value(const Json& manifest) {
  Json copy = manifest;
  if (copy.contains("metadata") && copy["metadata"].contains("annotations")) {
    auto& annotations = copy["metadata"]["annotations"];
    annotations.erase(kLastAppliedAnnotation);
    if (annotations.empty()) copy["metadata"].erase("annotations");
  }
  return copy.dump() + "\n";
}

Json with_last_applied(Json manifest) {
  std::string value = last_applied_value(manifest);
  manifest["metadata"]["annotations"][kLastAppliedAnnotation] = value;
  return manifest;
}

Json recorded_last_applied(const Json& live) {
  const Json& annotations =
      live.value("metadata", Json::object()).value("annotations", Json::object());
  auto it = annotations.find(kLastAppliedAnnotation);
  if (it == annotations.end() || !it->is_string()) return nullptr;
  Json parsed = Json::parse(it->get<std::string>(), nullptr, false);
  return parsed.is_discarded() ? Json(nullptr) : parsed;
}

Json three_way_merge_patch(const Json& last_applied, const Json& desired, const Json& live) {
  return diff(last_applied, desired, live);
}

}  // namespace skiff::kubectl
