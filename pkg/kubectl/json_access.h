#pragma once
// Reference access to optional members. nlohmann's value(key, default) returns a copy, and a
// chained `.items()` on that copy dangles inside a range-for; member() avoids the copy.
#include <string>

#include "pkg/api/json.h"

namespace skiff::kubectl {

// The member `key` of `object`, or a null Json (which iterates as empty) when absent.
inline const Json& member(const Json& object, const char* key) {
  static const Json kNull;
  if (!object.is_object()) return kNull;
  auto it = object.find(key);
  return it == object.end() ? kNull : *it;
}

}  // namespace skiff::kubectl

namespace skiff::kubectl {

// metadata.name / metadata.namespace, "" when absent.
inline std::string name_of(const Json& object) {
  const Json& name = member(member(object, "metadata"), "name");
  return name.is_string() ? name.get<std::string>() : "";
}
inline std::string namespace_of(const Json& object) {
  const Json& ns = member(member(object, "metadata"), "namespace");
  return ns.is_string() ? ns.get<std::string>() : "";
}

}  // namespace skiff::kubectl
