#pragma once
// Null-safe reads of nested JSON fields for the controllers' helpers: a missing or mistyped
// field reads as the fallback instead of throwing (objects come from the API already validated;
// the helpers must not crash on a partially written status).
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "pkg/api/json.h"

namespace skiff::controllers::json {

// The value at `path` (object keys), or a shared null when any step is missing.
inline const Json& at(const Json& object, std::initializer_list<const char*> path) {
  static const Json kNull;
  const Json* current = &object;
  for (const char* key : path) {
    if (!current->is_object()) return kNull;
    auto it = current->find(key);
    if (it == current->end()) return kNull;
    current = &*it;
  }
  return *current;
}

inline std::int64_t int_at(const Json& object, std::initializer_list<const char*> path,
                           std::int64_t fallback = 0) {
  const Json& v = at(object, path);
  return v.is_number_integer() ? v.get<std::int64_t>() : fallback;
}

// string_at without a copy: a view into `object` (or of `fallback`), valid while both live.
inline std::string_view text_at(const Json& object, std::initializer_list<const char*> path,
                                std::string_view fallback = {}) {
  const Json& v = at(object, path);
  return v.is_string() ? std::string_view(v.get_ref<const std::string&>()) : fallback;
}

inline std::string string_at(const Json& object, std::initializer_list<const char*> path,
                             const std::string& fallback = "") {
  const Json& v = at(object, path);
  return v.is_string() ? v.get<std::string>() : fallback;
}

}  // namespace skiff::controllers::json
