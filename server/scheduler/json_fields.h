#pragma once
// Lenient reads of API objects for the scheduler's pure functions: a missing or mistyped field
// reads as absent (null, ""), never as an exception, because the scheduler decides on whatever
// the API stored and must not stop on one odd object.
#include <string>

#include "pkg/api/json.h"

namespace skiff::scheduler {

// object[key], or null when `object` is not an object or has no such member.
inline const Json& field(const Json& object, const char* key) {
  static const Json kNull;
  if (!object.is_object()) return kNull;
  auto it = object.find(key);
  return it == object.end() ? kNull : *it;
}

// object[key] when it is a string, else "".
inline std::string string_field(const Json& object, const char* key) {
  const Json& value = field(object, key);
  return value.is_string() ? value.get<std::string>() : std::string();
}

}  // namespace skiff::scheduler
