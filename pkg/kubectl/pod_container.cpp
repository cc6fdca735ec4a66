#include "pkg/kubectl/pod_container.h"

#include <ostream>
#include <vector>

#include "pkg/kubectl/encoding.h"
#include "pkg/kubectl/errors.h"

namespace skiff::kubectl {

namespace {

std::vector<std::string> names_of(const Json& spec, const char* field) {
  std::vector<std::string> names;
  if (!spec.is_object() || !spec.contains(field) || !spec[field].is_array()) return names;
  for (const auto& container : spec[field])
    if (container.is_object() && container.contains("name") && container["name"].is_string())
      names.push_back(container["name"].get<std::string>());
  return names;
}

}  // namespace

std::string pod_name_argument(const std::string& argument, const std::string& command) {
  auto slash = argument.find('/');
  if (slash == std::string::npos) return argument;
  const std::string type = argument.substr(0, slash);
  const std::string name = argument.substr(slash + 1);
  if (type != "pod" && type != "pods" && type != "po")
    throw usage_error("skiff kubectl " + command + " supports pods only, not \"" + type + "\"");
  if (name.empty()) throw usage_error("a pod name is required after \"" + type + "/\"");
  return name;
}

std::string pod_path(const std::string& namespace_name, const std::string& name) {
  return "/api/v1/namespaces/" + url_encode(namespace_name) + "/pods/" + url_encode(name);
}

std::string choose_container(Context& ctx, const Json& pod, const std::string& requested) {
  if (!requested.empty()) return requested;
  const Json metadata = pod.value("metadata", Json::object());
  const Json annotations = metadata.value("annotations", Json::object());
  const std::string annotated =
      annotations.is_object() ? annotations.value("kubectl.kubernetes.io/default-container", "")
                              : "";
  const Json spec = pod.value("spec", Json::object());
  const auto names = names_of(spec, "containers");
  const auto init_names = names_of(spec, "initContainers");
  if (!annotated.empty())
    for (const auto& name : names)
      if (name == annotated) return name;
  if (names.empty())
    throw usage_error("pod " + metadata.value("name", std::string()) + " has no containers");
  if (names.size() + init_names.size() > 1) {
    std::string all;
    for (const auto& name : names) all += (all.empty() ? "" : ", ") + name;
    for (const auto& name : init_names) all += ", " + name + " (init)";
    ctx.err << "Defaulted container \"" << names.front() << "\" out of: " << all << "\n";
  }
  return names.front();
}

bool pod_has_container(const Json& pod, const std::string& container) {
  const Json spec = pod.value("spec", Json::object());
  for (const char* field : {"containers", "initContainers"})
    for (const auto& name : names_of(spec, field))
      if (name == container) return true;
  return false;
}

}  // namespace skiff::kubectl
