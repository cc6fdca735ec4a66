// Helpers shared by the per-kind table printers, and the generic printer for kinds without one.
#include <algorithm>
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

const Json& node_at(const Json& object, const std::string& dotted_path) {
  static const Json kNull = nullptr;
  const Json* node = &object;
  std::istringstream parts(dotted_path);
  std::string key;
  while (std::getline(parts, key, '.')) {
    if (!node->is_object()) return kNull;
    auto it = node->find(key);
    if (it == node->end()) return kNull;
    node = &*it;
  }
  return *node;
}

std::string string_at(const Json& object, const std::string& dotted_path,
                      const std::string& fallback) {
  const Json& node = node_at(object, dotted_path);
  if (node.is_string()) return node.get<std::string>();
  if (node.is_number() || node.is_boolean()) return node.dump();
  return fallback;
}

long long int_at(const Json& object, const std::string& dotted_path, long long fallback) {
  const Json& node = node_at(object, dotted_path);
  return node.is_number() ? node.get<long long>() : fallback;
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

std::string list_with_more(const std::vector<std::string>& items, size_t total, size_t max,
                           const std::string& empty) {
  if (items.empty()) return empty;
  std::string out = join(items, ",");
  if (total > max) out += " + " + std::to_string(total - max) + " more...";
  return out;
}

namespace {

std::string join_container_field(const Json& pod_spec, const char* field) {
  std::vector<std::string> values;
  const Json& containers = node_at(pod_spec, "containers");
  if (containers.is_array())
    for (const auto& container : containers) values.push_back(string_at(container, field));
  return join(values, ",");
}

}  // namespace

std::string container_names(const Json& pod_spec) {
  return join_container_field(pod_spec, "name");
}

std::string container_images(const Json& pod_spec) {
  return join_container_field(pod_spec, "image");
}

std::string label_selector_string(const Json& selector) {
  if (!selector.is_object()) return "<none>";
  // Requirements print sorted by key, as labels.Selector.String() does.
  std::vector<std::pair<std::string, std::string>> requirements;
  if (auto labels = selector.find("matchLabels"); labels != selector.end() && labels->is_object())
    for (const auto& [key, value] : labels->items())
      requirements.push_back({key, key + "=" + value.get<std::string>()});
  if (auto exprs = selector.find("matchExpressions");
      exprs != selector.end() && exprs->is_array()) {
    for (const auto& expr : *exprs) {
      std::string key = string_at(expr, "key");
      std::string op = string_at(expr, "operator");
      std::vector<std::string> values;
      if (expr.contains("values") && expr["values"].is_array())
        for (const auto& v : expr["values"]) values.push_back(v.get<std::string>());
      std::sort(values.begin(), values.end());
      if (op == "In") requirements.push_back({key, key + " in (" + join(values, ",") + ")"});
      if (op == "NotIn") requirements.push_back({key, key + " notin (" + join(values, ",") + ")"});
      if (op == "Exists") requirements.push_back({key, key});
      if (op == "DoesNotExist") requirements.push_back({key, "!" + key});
    }
  }
  std::stable_sort(requirements.begin(), requirements.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> parts;
  for (const auto& requirement : requirements) parts.push_back(requirement.second);
  return join(parts, ",");
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
