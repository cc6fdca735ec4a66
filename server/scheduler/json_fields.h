#pragma once
// Lenient reads of API objects for the scheduler's pure functions: a missing or mistyped field
// reads as absent (null, ""), never as an exception, because the scheduler decides on whatever
// the API stored and must not stop on one odd object. One level at a time, on top of the
// controllers' null-safe path reader, which the filters' nested calls read best as.
#include <string>

#include "pkg/api/json.h"
#include "server/controllers/json_access.h"

namespace skiff::scheduler {

// object[key], or null when `object` is not an object or has no such member.
inline const Json& field(const Json& object, const char* key) {
  return controllers::json::at(object, {key});
}

// object[key] when it is a string, else "".
inline std::string string_field(const Json& object, const char* key) {
  return controllers::json::string_at(object, {key});
}

}  // namespace skiff::scheduler
