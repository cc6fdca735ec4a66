#include "pkg/api/pod_containers.h"

namespace skiff::api {

std::vector<std::string> container_names(const Json& spec, const char* field) {
  std::vector<std::string> names;
  if (!spec.is_object() || !spec.contains(field) || !spec[field].is_array()) return names;
  for (const auto& container : spec[field])
    if (container.is_object() && container.contains("name") && container["name"].is_string())
      names.push_back(container["name"].get<std::string>());
  return names;
}

}  // namespace skiff::api
