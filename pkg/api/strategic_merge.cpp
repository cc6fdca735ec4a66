// Strategic merge patch for built-in kinds (k8s.io/apimachinery/pkg/util/strategicpatch).
//
// The patch strategy of a list comes from the Go struct tags of the Kubernetes types
// (patchStrategy/patchMergeKey); skiff encodes the ones its kinds use in list_strategy(),
// keyed on the field path (names only, no indices) because the same name means different
// things in different places (container `ports` merge by containerPort, Service `ports` by port).
// Lists without a strategy are replaced. Directives ($patch, $retainKeys, $setElementOrder/,
// $deleteFromPrimitiveList/) are honoured and never survive into the result.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "pkg/api/errors.h"
#include "pkg/api/patch.h"

namespace skiff::api {

namespace {

using FieldPath = std::vector<std::string>;

struct ListStrategy {
  bool merge = false;
  std::string key;  // empty with merge = a set of primitives (e.g. finalizers)
};

bool is_container_list(const std::string& name) {
  return name == "containers" || name == "initContainers" || name == "ephemeralContainers";
}

ListStrategy list_strategy(const std::string& kind, const FieldPath& path) {
  if (path.empty()) return {};
  const std::string& last = path.back();
  const std::string parent = path.size() >= 2 ? path[path.size() - 2] : "";
  auto keyed = [](std::string key) { return ListStrategy{true, std::move(key)}; };
  if (parent == "metadata") {
    if (last == "ownerReferences") return keyed("uid");
    if (last == "finalizers") return {true, ""};
    return {};
  }
  if (kind == "ServiceAccount") return last == "secrets" ? keyed("name") : ListStrategy{};
  if (is_container_list(last)) return keyed("name");
  if (is_container_list(parent)) {
    if (last == "ports") return keyed("containerPort");
    if (last == "env") return keyed("name");
    if (last == "volumeMounts") return keyed("mountPath");
    if (last == "volumeDevices") return keyed("devicePath");
    return {};
  }
  if (kind == "Service" && path == FieldPath{"spec", "ports"}) return keyed("port");
  if (last == "volumes" || last == "imagePullSecrets" || last == "resourceClaims" ||
      last == "schedulingGates") {
    return keyed("name");
  }
  if (last == "hostAliases") return keyed("ip");
  if (last == "topologySpreadConstraints") return keyed("topologyKey");
  if (parent == "status") {
    if (last == "conditions") return keyed("type");
    if (last == "addresses" && kind == "Node") return keyed("type");
    if (last == "podIPs" || last == "hostIPs") return keyed("ip");
  }
  return {};
}

constexpr std::string_view kSetElementOrder = "$setElementOrder/";
constexpr std::string_view kDeleteFromPrimitiveList = "$deleteFromPrimitiveList/";

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool is_directive(std::string_view key) {
  return key == "$patch" || key == "$retainKeys" || starts_with(key, kSetElementOrder) ||
         starts_with(key, kDeleteFromPrimitiveList);
}

// Removes every directive from a value that is copied in as-is.
Json strip_directives(const Json& value) {
  if (value.is_object()) {
    Json out = Json::object();
    for (const auto& [k, v] : value.items()) {
      if (!is_directive(k)) out[k] = strip_directives(v);
    }
    return out;
  }
  if (value.is_array()) {
    Json out = Json::array();
    for (const auto& v : value) {
      if (v.is_object() && v.size() == 1 && v.contains("$patch")) continue;
      out.push_back(strip_directives(v));
    }
    return out;
  }
  return value;
}

class StrategicMerger {
 public:
  explicit StrategicMerger(std::string kind) : kind_(std::move(kind)) {}

  // nullopt means "delete this map" ($patch: delete).
  std::optional<Json> merge_map(Json original, const Json& patch, const FieldPath& path) {
    if (!original.is_object()) original = Json::object();
    if (auto directive = patch.find("$patch"); directive != patch.end()) {
      if (*directive == "delete") return std::nullopt;
      if (*directive == "replace") return strip_directives(patch);
      if (*directive != "merge") {
        throw bad_request("strategic merge patch: unknown patch type " + directive->dump() +
                          " at " + describe(path) + " (expected replace, merge or delete)");
      }
    }
    for (const auto& [key, value] : patch.items()) {
      if (!starts_with(key, kDeleteFromPrimitiveList)) continue;
      std::string field = key.substr(kDeleteFromPrimitiveList.size());
      auto it = original.find(field);
      if (!value.is_array()) {
        throw bad_request("strategic merge patch: " + key + " must be a list");
      }
      if (it == original.end() || !it->is_array()) continue;
      Json kept = Json::array();
      for (const auto& item : *it) {
        if (std::find(value.begin(), value.end(), item) == value.end()) kept.push_back(item);
      }
      *it = std::move(kept);
    }
    for (const auto& [key, value] : patch.items()) {
      if (is_directive(key)) continue;
      FieldPath child = path;
      child.push_back(key);
      if (value.is_null()) {
        original.erase(key);
        continue;
      }
      auto existing = original.find(key);
      if (value.is_object()) {
        Json base =
            existing != original.end() && existing->is_object() ? *existing : Json::object();
        auto merged = merge_map(std::move(base), value, child);
        if (merged) {
          original[key] = std::move(*merged);
        } else {
          original.erase(key);
        }
      } else if (value.is_array()) {
        Json base = existing != original.end() && existing->is_array() ? *existing : Json::array();
        original[key] = merge_list(std::move(base), value, child);
      } else {
        original[key] = value;
      }
    }
    for (const auto& [key, value] : patch.items()) {
      if (!starts_with(key, kSetElementOrder)) continue;
      std::string field = key.substr(kSetElementOrder.size());
      FieldPath child = path;
      child.push_back(field);
      auto it = original.find(field);
      if (it != original.end() && it->is_array() && value.is_array()) {
        *it = reorder(*it, value, list_strategy(kind_, child).key);
      }
    }
    if (auto retain = patch.find("$retainKeys"); retain != patch.end()) {
      if (!retain->is_array())
        throw bad_request("strategic merge patch: $retainKeys must be a list");
      Json kept = Json::object();
      for (const auto& [k, v] : original.items()) {
        if (std::find(retain->begin(), retain->end(), k) != retain->end()) kept[k] = v;
      }
      original = std::move(kept);
    }
    return original;
  }

 private:
  static std::string describe(const FieldPath& path) {
    std::string out;
    for (const auto& p : path) out += (out.empty() ? "" : ".") + p;
    return out.empty() ? "the top level" : out;
  }

  Json merge_list(Json original, const Json& patch, const FieldPath& path) {
    ListStrategy strategy = list_strategy(kind_, path);
    // A {"$patch": "replace"} element replaces the whole list with the other elements.
    for (const auto& element : patch) {
      if (element.is_object() && element.value("$patch", "") == "replace") {
        return strip_directives(patch);
      }
    }
    if (!strategy.merge) return strip_directives(patch);
    if (strategy.key.empty()) {
      for (const auto& element : patch) {
        if (std::find(original.begin(), original.end(), element) == original.end()) {
          original.push_back(element);
        }
      }
      return original;
    }
    const std::string& key = strategy.key;
    for (const auto& element : patch) {
      if (!element.is_object()) {
        throw bad_request("strategic merge patch: " + describe(path) + " is merged by \"" + key +
                          "\" and must hold objects, got " + element.dump());
      }
      auto key_value = element.find(key);
      if (key_value == element.end()) {
        throw bad_request("strategic merge patch: map: " + element.dump() +
                          " does not contain declared merge key: " + key);
      }
      auto match = std::find_if(original.begin(), original.end(), [&](const Json& item) {
        return item.is_object() && item.contains(key) && item[key] == *key_value;
      });
      if (element.value("$patch", "") == "delete") {
        if (match != original.end()) original.erase(match);
        continue;
      }
      if (match != original.end()) {
        auto merged = merge_map(*match, element, path);
        if (merged) {
          *match = std::move(*merged);
        } else {
          original.erase(match);
        }
      } else if (auto merged = merge_map(Json::object(), element, path)) {
        original.push_back(std::move(*merged));
      }
    }
    return original;
  }

  // Puts the elements named in `order` first, in that order; the rest keep their places after.
  static Json reorder(const Json& list, const Json& order, const std::string& key) {
    auto same = [&](const Json& item, const Json& wanted) {
      if (key.empty()) return item == wanted;
      return item.is_object() && wanted.is_object() && item.contains(key) && wanted.contains(key) &&
             item[key] == wanted[key];
    };
    Json ordered = Json::array();
    std::vector<bool> used(list.size(), false);
    for (const auto& wanted : order) {
      for (size_t i = 0; i < list.size(); ++i) {
        if (!used[i] && same(list[i], wanted)) {
          ordered.push_back(list[i]);
          used[i] = true;
          break;
        }
      }
    }
    for (size_t i = 0; i < list.size(); ++i) {
      if (!used[i]) ordered.push_back(list[i]);
    }
    return ordered;
  }

  std::string kind_;
};

}  // namespace

Json apply_strategic_merge_patch(const ResourceInfo& resource, const Json& target,
                                 const Json& patch) {
  if (!patch.is_object()) {
    throw bad_request("a strategic merge patch must be a JSON object, got " +
                      std::string(patch.type_name()));
  }
  StrategicMerger merger(resource.kind);
  auto merged = merger.merge_map(target, patch, {});
  if (!merged) return Json::object();
  return std::move(*merged);
}

}  // namespace skiff::api
