#pragma once
// Reading API JSON for parse_pod_spec (pod_spec.cpp, container_spec.cpp): typed getters that
// treat null as absent, as the API's Go structs do, and throw SpecError naming the field.
// Internal to agent/pods.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/pods/pod_spec.h"
#include "pkg/api/json.h"

namespace skiff::agent::pods::spec_json {

// Members that are absent or null read as absent, as in the API's Go structs.
inline const Json* member(const Json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  auto found = object.find(key);
  if (found == object.end() || found->is_null()) return nullptr;
  return &*found;
}

inline std::string join_path(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

[[noreturn]] inline void fail(const std::string& path, const std::string& message) {
  throw SpecError(path + ": " + message);
}

inline const Json& object_at(const Json& parent, const char* key, const std::string& path) {
  static const Json kEmpty = Json::object();
  const Json* value = member(parent, key);
  if (!value) return kEmpty;
  if (!value->is_object()) fail(join_path(path, key), "must be an object");
  return *value;
}

inline const Json& array_at(const Json& parent, const char* key, const std::string& path) {
  static const Json kEmpty = Json::array();
  const Json* value = member(parent, key);
  if (!value) return kEmpty;
  if (!value->is_array()) fail(join_path(path, key), "must be a list");
  return *value;
}

inline std::string string_at(const Json& parent, const char* key, const std::string& path,
                             std::string fallback = "") {
  const Json* value = member(parent, key);
  if (!value) return fallback;
  if (!value->is_string()) fail(join_path(path, key), "must be a string");
  return value->get<std::string>();
}

inline int64_t int_at(const Json& parent, const char* key, const std::string& path,
                      int64_t fallback) {
  const Json* value = member(parent, key);
  if (!value) return fallback;
  if (!value->is_number_integer()) fail(join_path(path, key), "must be an integer");
  return value->get<int64_t>();
}

inline bool bool_at(const Json& parent, const char* key, const std::string& path, bool fallback) {
  const Json* value = member(parent, key);
  if (!value) return fallback;
  if (!value->is_boolean()) fail(join_path(path, key), "must be true or false");
  return value->get<bool>();
}

inline std::vector<std::string> strings_at(const Json& parent, const char* key,
                                           const std::string& path) {
  std::vector<std::string> out;
  const Json& list = array_at(parent, key, path);
  for (size_t i = 0; i < list.size(); ++i) {
    if (!list[i].is_string())
      fail(join_path(path, key) + "[" + std::to_string(i) + "]", "must be a string");
    out.push_back(list[i].get<std::string>());
  }
  return out;
}

inline std::map<std::string, std::string> string_map_at(const Json& parent, const char* key,
                                                        const std::string& path) {
  std::map<std::string, std::string> out;
  for (const auto& [name, value] : object_at(parent, key, path).items()) {
    if (!value.is_string()) fail(join_path(path, key) + "." + name, "must be a string");
    out[name] = value.get<std::string>();
  }
  return out;
}

inline std::string indexed(const std::string& path, const char* key, size_t i) {
  return join_path(path, key) + "[" + std::to_string(i) + "]";
}

inline std::string required_string(const Json& parent, const char* key, const std::string& path) {
  std::string value = string_at(parent, key, path);
  if (value.empty()) fail(join_path(path, key), "is required");
  return value;
}

inline Seconds seconds_at(const Json& parent, const char* key, const std::string& path,
                          int64_t fallback, int64_t minimum) {
  int64_t value = int_at(parent, key, path, fallback);
  if (value < minimum) fail(join_path(path, key), "must be at least " + std::to_string(minimum));
  return Seconds(value);
}

// One container of spec.containers or spec.initContainers (container_spec.cpp).
ContainerSpec parse_container(const Json& container, const std::string& path,
                              std::optional<int64_t> pod_run_as_user, bool init);

}  // namespace skiff::agent::pods::spec_json
