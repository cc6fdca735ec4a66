// Helpers shared by the per-kind table printers, and the generic printer for kinds without one.
#include <sstream>

#include "pkg/api/time.h"
#include "server/apiserver/table_columns.h"

namespace skiff::apiserver::tables {

Column name_column() {
  return {"Name", "string", "name", "Name must be unique within a namespace. Cannot be updated.",
          0};
}

Column age_column() {
  return {"Age", "string", "",
          "CreationTimestamp is a timestamp representing the server time when this object was "
          "created.",
          0};
}

std::string string_at(const Json& object, const std::string& dotted_path,
                      const std::string& fallback) {
  const Json* node = &object;
  std::istringstream parts(dotted_path);
  std::string key;
  while (std::getline(parts, key, '.')) {
    if (!node->is_object()) return fallback;
    auto it = node->find(key);
    if (it == node->end()) return fallback;
    node = &*it;
  }
  if (node->is_string()) return node->get<std::string>();
  if (node->is_number() || node->is_boolean()) return node->dump();
  return fallback;
}

std::string object_name(const Json& object) {
  return string_at(object, "metadata.name");
}

std::string object_age(const Json& object, TimePoint now) {
  return api::age(string_at(object, "metadata.creationTimestamp"), now);
}

std::string join(const std::vector<std::string>& parts, const std::string& separator) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += separator;
    out += parts[i];
  }
  return out;
}

std::string join_map(const Json& map, const std::string& empty) {
  if (!map.is_object() || map.empty()) return empty;
  std::vector<std::string> pairs;
  for (const auto& [key, value] : map.items())
    pairs.push_back(key + "=" + (value.is_string() ? value.get<std::string>() : value.dump()));
  return join(pairs, ",");
}

Printer default_printer() {
  return {
      {name_column(),
       {"Created At", "date", "",
        "CreationTimestamp is a timestamp representing the server time when this object was "
        "created.",
        0}},
      [](const Json& object, TimePoint) -> Json {
        return Json::array({object_name(object), string_at(object, "metadata.creationTimestamp")});
      }};
}

}  // namespace skiff::apiserver::tables
