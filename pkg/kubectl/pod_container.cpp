#include "pkg/kubectl/pod_container.h"
#include "pkg/api/pod_containers.h"

#include <algorithm>
#include <map>
#include <ostream>
#include <tuple>
#include <vector>

#include "pkg/api/selectors.h"

#include "pkg/kubectl/encoding.h"
#include "pkg/kubectl/errors.h"

namespace skiff::kubectl {

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

namespace {

struct WorkloadType {
  const char* api_prefix;  // "/apis/apps/v1"
  const char* plural;
};

const std::map<std::string, WorkloadType>& workload_types() {
  // The workloads skiff serves that select pods.
  static const std::map<std::string, WorkloadType> types = {
      {"deploy", {"/apis/apps/v1", "deployments"}},
      {"deployment", {"/apis/apps/v1", "deployments"}},
      {"deployments", {"/apis/apps/v1", "deployments"}},
      {"rs", {"/apis/apps/v1", "replicasets"}},
      {"replicaset", {"/apis/apps/v1", "replicasets"}},
      {"replicasets", {"/apis/apps/v1", "replicasets"}},
  };
  return types;
}

bool pod_ready(const Json& pod) {
  const Json status = pod.value("status", Json::object());
  for (const auto& condition : status.value("conditions", Json::array()))
    if (condition.is_object() && condition.value("type", "") == "Ready")
      return condition.value("status", "") == "True";
  return false;
}

// kubectl's ByLogging order, simplified: scheduled, Running, Ready, then the oldest.
auto logging_rank(const Json& pod) {
  const Json spec = pod.value("spec", Json::object());
  const Json status = pod.value("status", Json::object());
  const Json metadata = pod.value("metadata", Json::object());
  return std::make_tuple(spec.value("nodeName", "").empty(), status.value("phase", "") != "Running",
                         !pod_ready(pod), metadata.value("creationTimestamp", ""),
                         metadata.value("name", ""));
}

}  // namespace

std::string resolve_pod_argument(Context& ctx, const std::string& argument,
                                 const std::string& command) {
  auto slash = argument.find('/');
  if (slash == std::string::npos) return argument;
  const auto found = workload_types().find(argument.substr(0, slash));
  if (found == workload_types().end()) return pod_name_argument(argument, command);
  const std::string name = argument.substr(slash + 1);
  if (name.empty()) throw usage_error("a name is required after \"" + found->first + "/\"");
  const WorkloadType& type = found->second;
  const std::string namespace_name = ctx.namespace_name();
  const Json workload =
      ctx.api().get(std::string(type.api_prefix) + "/namespaces/" + url_encode(namespace_name) +
                        "/" + type.plural + "/" + url_encode(name),
                    std::string("get ") + type.plural + " " + name);
  const Json selector = workload.value("spec", Json::object()).value("selector", Json());
  const std::string selector_text = api::LabelSelector::from_json(selector).to_string();
  if (selector_text.empty())
    throw usage_error(std::string(type.plural) + " " + name + " has no pod selector");
  const Json list = ctx.api().get("/api/v1/namespaces/" + url_encode(namespace_name) +
                                      "/pods?labelSelector=" + url_encode(selector_text),
                                  "list pods");
  std::vector<Json> pods;
  for (const auto& pod : list.value("items", Json::array())) pods.push_back(pod);
  if (pods.empty()) throw usage_error("no pods found for " + argument);
  std::sort(pods.begin(), pods.end(),
            [](const Json& a, const Json& b) { return logging_rank(a) < logging_rank(b); });
  const std::string chosen = pods.front()["metadata"].value("name", "");
  if (pods.size() > 1) ctx.err << "Found " << pods.size() << " pods, using pod/" << chosen << "\n";
  return chosen;
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
  const auto names = api::container_names(spec, "containers");
  const auto init_names = api::container_names(spec, "initContainers");
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
    for (const auto& name : api::container_names(spec, field))
      if (name == container) return true;
  return false;
}

}  // namespace skiff::kubectl
