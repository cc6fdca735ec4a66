#include "agent/pods/pod_spec.h"

#include "agent/pods/spec_json.h"

#include <set>

namespace skiff::agent::pods {

using namespace spec_json;

namespace {

VolumeSpec parse_volume(const Json& volume, const std::string& path) {
  if (!volume.is_object()) fail(path, "must be an object");
  VolumeSpec out;
  out.name = required_string(volume, "name", path);
  auto mode_at = [&](const Json& parent, const char* key, const std::string& at) {
    int64_t mode = int_at(parent, key, at, 0644);
    if (mode < 0 || mode > 0777) fail(join_path(at, key), "must be a file mode between 0 and 0777");
    return static_cast<int>(mode);
  };
  auto read_items = [&](const Json& source, const std::string& at) {
    const Json& items = array_at(source, "items", at);
    for (size_t i = 0; i < items.size(); ++i) {
      const std::string item_path = indexed(at, "items", i);
      KeyToPath item;
      item.key = required_string(items[i], "key", item_path);
      item.path = required_string(items[i], "path", item_path);
      if (member(items[i], "mode")) item.mode = mode_at(items[i], "mode", item_path);
      out.items.push_back(std::move(item));
    }
  };
  if (const Json* empty_dir = member(volume, "emptyDir")) {
    out.kind = VolumeSpec::Kind::EmptyDir;
    const std::string medium = string_at(*empty_dir, "medium", path + ".emptyDir");
    if (!medium.empty())
      fail(path + ".emptyDir.medium", "\"" + medium + "\" is not supported by skiff yet");
  } else if (const Json* host_path = member(volume, "hostPath")) {
    out.kind = VolumeSpec::Kind::HostPath;
    out.path = required_string(*host_path, "path", path + ".hostPath");
    if (out.path.front() != '/') fail(path + ".hostPath.path", "must be an absolute path");
    out.path_type = string_at(*host_path, "type", path + ".hostPath");
    static const std::set<std::string> kTypes = {
        "",       "DirectoryOrCreate", "Directory",  "FileOrCreate", "File",
        "Socket", "CharDevice",        "BlockDevice"};
    if (!kTypes.count(out.path_type))
      fail(path + ".hostPath.type", "\"" + out.path_type + "\" is not a hostPath type");
  } else if (const Json* config_map = member(volume, "configMap")) {
    out.kind = VolumeSpec::Kind::ConfigMap;
    const std::string at = path + ".configMap";
    out.source = required_string(*config_map, "name", at);
    out.default_mode = mode_at(*config_map, "defaultMode", at);
    out.optional = bool_at(*config_map, "optional", at, false);
    read_items(*config_map, at);
  } else if (const Json* secret = member(volume, "secret")) {
    out.kind = VolumeSpec::Kind::Secret;
    const std::string at = path + ".secret";
    out.source = required_string(*secret, "secretName", at);
    out.default_mode = mode_at(*secret, "defaultMode", at);
    out.optional = bool_at(*secret, "optional", at, false);
    read_items(*secret, at);
  } else {
    std::string kind = "this volume type";
    for (const auto& [key, value] : volume.items())
      if (key != "name") kind = key;
    fail(path, kind + " volumes are not supported by skiff yet");
  }
  for (const auto& item : out.items)
    if (item.path.empty() || item.path.front() == '/' || item.path.find("..") != std::string::npos)
      fail(path, "item path \"" + item.path + "\" must be relative and without '..'");
  return out;
}

}  // namespace

PullPolicy default_pull_policy(const std::string& image) {
  if (image.find('@') != std::string::npos) return PullPolicy::IfNotPresent;
  const size_t slash = image.rfind('/');
  const size_t colon = image.rfind(':');
  const bool has_tag = colon != std::string::npos && (slash == std::string::npos || colon > slash);
  if (!has_tag || image.substr(colon + 1) == "latest") return PullPolicy::Always;
  return PullPolicy::IfNotPresent;
}

std::string to_string(RestartPolicy policy) {
  switch (policy) {
    case RestartPolicy::Always:
      return "Always";
    case RestartPolicy::OnFailure:
      return "OnFailure";
    case RestartPolicy::Never:
      return "Never";
  }
  return "Always";
}

PodKey parse_pod_key(const Json& pod) {
  if (!pod.is_object()) throw SpecError("a pod must be a JSON object");
  const Json& metadata = object_at(pod, "metadata", "");
  PodKey key;
  key.namespace_name = required_string(metadata, "namespace", "metadata");
  key.name = required_string(metadata, "name", "metadata");
  key.uid = required_string(metadata, "uid", "metadata");
  return key;
}

PodSpecView parse_pod_identity(const Json& pod) {
  PodSpecView out;
  out.key = parse_pod_key(pod);
  const Json& metadata = *member(pod, "metadata");
  const Json* spec = member(pod, "spec");
  if (spec) {
    const Json* grace = member(*spec, "terminationGracePeriodSeconds");
    if (grace && grace->is_number_integer() && grace->get<int64_t>() >= 0)
      out.termination_grace = Seconds(grace->get<int64_t>());
    const Json* node = member(*spec, "nodeName");
    if (node && node->is_string()) out.node_name = node->get<std::string>();
    // Names and images, for a status that says what is wrong with each container.
    auto lenient = [&](const char* key, std::vector<ContainerSpec>& into) {
      const Json* list = member(*spec, key);
      if (!list || !list->is_array()) return;
      for (const auto& container : *list) {
        const Json* name = member(container, "name");
        if (!name || !name->is_string()) continue;
        ContainerSpec entry;
        entry.name = name->get<std::string>();
        const Json* image = member(container, "image");
        if (image && image->is_string()) entry.image = image->get<std::string>();
        into.push_back(std::move(entry));
      }
    };
    lenient("initContainers", out.init_containers);
    lenient("containers", out.containers);
  }
  if (member(metadata, "deletionTimestamp")) {
    out.deleting = true;
    out.deletion_grace = out.termination_grace;
    const Json* grace = member(metadata, "deletionGracePeriodSeconds");
    if (grace && grace->is_number_integer() && grace->get<int64_t>() >= 0)
      out.deletion_grace = Seconds(grace->get<int64_t>());
  }
  return out;
}

PodSpecView parse_pod_spec(const Json& pod) {
  PodSpecView out;
  out.key = parse_pod_key(pod);
  const Json& metadata = object_at(pod, "metadata", "");
  out.labels = string_map_at(metadata, "labels", "metadata");
  out.annotations = string_map_at(metadata, "annotations", "metadata");

  const Json& spec = object_at(pod, "spec", "");
  out.node_name = string_at(spec, "nodeName", "spec");
  out.service_account = string_at(spec, "serviceAccountName", "spec", "default");
  out.hostname = string_at(spec, "hostname", "spec", out.key.name);
  if (out.hostname.empty()) out.hostname = out.key.name;
  const std::string restart = string_at(spec, "restartPolicy", "spec", "Always");
  if (restart == "Always")
    out.restart_policy = RestartPolicy::Always;
  else if (restart == "OnFailure")
    out.restart_policy = RestartPolicy::OnFailure;
  else if (restart == "Never")
    out.restart_policy = RestartPolicy::Never;
  else
    fail("spec.restartPolicy", "must be Always, OnFailure or Never");
  out.termination_grace = seconds_at(spec, "terminationGracePeriodSeconds", "spec", 30, 0);
  for (const char* unsupported : {"hostNetwork", "hostPID", "hostIPC"})
    if (bool_at(spec, unsupported, "spec", false))
      fail(std::string("spec.") + unsupported, "is not supported by skiff yet");
  if (!array_at(spec, "ephemeralContainers", "spec").empty())
    fail("spec.ephemeralContainers", "are not supported by skiff yet");

  std::optional<int64_t> pod_user;
  const Json& pod_security = object_at(spec, "securityContext", "spec");
  if (const Json* user = member(pod_security, "runAsUser")) {
    if (!user->is_number_integer() || user->get<int64_t>() < 0)
      fail("spec.securityContext.runAsUser", "must be a non-negative integer");
    pod_user = user->get<int64_t>();
  }

  std::set<std::string> names;
  auto read_containers = [&](const char* key, bool init, std::vector<ContainerSpec>& into) {
    const Json& list = array_at(spec, key, "spec");
    for (size_t i = 0; i < list.size(); ++i) {
      into.push_back(parse_container(list[i], indexed("spec", key, i), pod_user, init));
      if (!names.insert(into.back().name).second)
        fail(indexed("spec", key, i) + ".name", "\"" + into.back().name + "\" is used twice");
    }
  };
  read_containers("initContainers", true, out.init_containers);
  read_containers("containers", false, out.containers);
  if (out.containers.empty()) fail("spec.containers", "a pod needs at least one container");

  std::set<std::string> volume_names;
  const Json& volumes = array_at(spec, "volumes", "spec");
  for (size_t i = 0; i < volumes.size(); ++i) {
    out.volumes.push_back(parse_volume(volumes[i], indexed("spec", "volumes", i)));
    if (!volume_names.insert(out.volumes.back().name).second)
      fail(indexed("spec", "volumes", i) + ".name", "is used twice");
  }
  for (const auto* list : {&out.init_containers, &out.containers})
    for (const auto& container : *list)
      for (const auto& mount : container.volume_mounts)
        if (!volume_names.count(mount.name))
          fail("spec.containers", "container \"" + container.name + "\" mounts volume \"" +
                                      mount.name + "\", which the pod does not define");

  if (member(metadata, "deletionTimestamp")) {
    out.deleting = true;
    out.deletion_grace = seconds_at(metadata, "deletionGracePeriodSeconds", "metadata",
                                    out.termination_grace.count(), 0);
  }
  return out;
}

}  // namespace skiff::agent::pods
