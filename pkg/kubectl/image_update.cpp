#include "pkg/kubectl/image_update.h"

#include "pkg/kubectl/errors.h"
#include "pkg/kubectl/json_access.h"

namespace skiff::kubectl {
namespace {

// Sets the image of matching containers in `list`; records the changed ones as patch entries.
// Returns whether any container matched.
bool set_images(const Json& list, const std::string& container, const std::string& image,
                Json& changed) {
  if (!list.is_array()) return false;
  bool found = false;
  for (const auto& c : list) {
    if (!c.is_object()) continue;
    std::string name = c.value("name", std::string());
    if (container != "*" && name != container) continue;
    found = true;
    if (c.value("image", std::string()) == image) continue;
    bool merged = false;
    for (auto& entry : changed)
      if (entry["name"] == name) {
        entry["image"] = image;
        merged = true;
      }
    if (!merged) changed.push_back({{"image", image}, {"name", name}});
  }
  return found;
}

Json element_order(const Json& list) {
  Json order = Json::array();
  for (const auto& c : list)
    if (c.is_object()) order.push_back({{"name", c.value("name", std::string())}});
  return order;
}

}  // namespace

ImageArgs parse_image_args(const std::vector<std::string>& args) {
  ImageArgs out;
  for (const auto& arg : args) {
    auto eq = arg.find('=');
    if (eq == std::string::npos) {
      if (!out.images.empty())
        throw usage_error("all resources must be specified before image changes: " + arg);
      out.resources.push_back(arg);
      continue;
    }
    if (eq == 0 || eq + 1 == arg.size()) throw usage_error("invalid image format: \"" + arg + "\"");
    out.images.emplace_back(arg.substr(0, eq), arg.substr(eq + 1));
  }
  return out;
}

std::vector<std::string> pod_spec_path(const std::string& kind) {
  if (kind == "Pod") return {"spec"};
  if (kind == "CronJob") return {"spec", "jobTemplate", "spec", "template", "spec"};
  return {"spec", "template", "spec"};
}

ImagePatch image_patch(const Json& object,
                       const std::vector<std::pair<std::string, std::string>>& images) {
  ImagePatch out;
  const Json* spec = &object;
  for (const auto& key : pod_spec_path(object.value("kind", std::string())))
    spec = &member(*spec, key.c_str());
  Json containers = Json::array();
  Json init_containers = Json::array();
  for (const auto& [container, image] : images) {
    bool in_init = set_images(member(*spec, "initContainers"), container, image, init_containers);
    bool in_main = set_images(member(*spec, "containers"), container, image, containers);
    if (!in_init && !in_main)
      out.errors.push_back("unable to find container named \"" + container + "\"");
  }
  out.patch = Json::object();
  if (containers.empty() && init_containers.empty()) return out;
  Json pod_spec = Json::object();
  if (!containers.empty()) {
    pod_spec["$setElementOrder/containers"] = element_order(member(*spec, "containers"));
    pod_spec["containers"] = containers;
  }
  if (!init_containers.empty()) {
    pod_spec["$setElementOrder/initContainers"] = element_order(member(*spec, "initContainers"));
    pod_spec["initContainers"] = init_containers;
  }
  Json patch = pod_spec;
  auto path = pod_spec_path(object.value("kind", std::string()));
  for (auto it = path.rbegin(); it != path.rend(); ++it) patch = Json{{*it, patch}};
  out.patch = patch;
  return out;
}

}  // namespace skiff::kubectl
