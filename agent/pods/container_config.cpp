#include "agent/pods/container_config.h"

#include <map>

#include "pkg/api/base64.h"

namespace skiff::agent::pods {
namespace {

// "metadata.labels['app']" -> "app"; none when `path` is not `prefix['...']`.
std::optional<std::string> subscript(const std::string& path, std::string_view prefix) {
  if (!path.starts_with(prefix) || path.size() < prefix.size() + 4) return std::nullopt;
  std::string_view rest = std::string_view(path).substr(prefix.size());
  if (!rest.starts_with("['") || !rest.ends_with("']")) return std::nullopt;
  return std::string(rest.substr(2, rest.size() - 4));
}

std::string field_value(const std::string& path, const PodSpecView& pod,
                        const PodRuntimeFields& fields) {
  if (path == "metadata.name") return pod.key.name;
  if (path == "metadata.namespace") return pod.key.namespace_name;
  if (path == "metadata.uid") return pod.key.uid;
  if (path == "spec.nodeName") return pod.node_name;
  if (path == "spec.serviceAccountName") return pod.service_account;
  if (path == "status.podIP" || path == "status.podIPs") return fields.pod_ip;
  if (path == "status.hostIP" || path == "status.hostIPs") return fields.host_ip;
  if (auto key = subscript(path, "metadata.labels")) {
    auto found = pod.labels.find(*key);
    return found == pod.labels.end() ? "" : found->second;
  }
  if (auto key = subscript(path, "metadata.annotations")) {
    auto found = pod.annotations.find(*key);
    return found == pod.annotations.end() ? "" : found->second;
  }
  throw ContainerConfigError("unsupported fieldPath: " + path);
}

std::string lower_kind(std::string_view kind) {
  return kind == "Secret" ? "secret" : "configmap";
}

// The object's decoded data, none when it does not exist and `optional` allows that.
std::optional<std::map<std::string, std::string>> read_object(ObjectSource& objects,
                                                              std::string_view kind,
                                                              const std::string& namespace_name,
                                                              const std::string& name,
                                                              bool optional) {
  std::optional<Json> object = objects.get(kind, namespace_name, name);
  if (!object) {
    if (optional) return std::nullopt;
    throw ContainerConfigError(lower_kind(kind) + " \"" + name + "\" not found");
  }
  return object_data(kind, *object);
}

// An ordered environment where a later value replaces an earlier one in place.
class Environment {
 public:
  void set(const std::string& name, std::string value) {
    auto [position, inserted] = index_.emplace(name, entries_.size());
    if (inserted)
      entries_.emplace_back(name, std::move(value));
    else
      entries_[position->second].second = std::move(value);
  }
  std::optional<std::string> get(const std::string& name) const {
    auto found = index_.find(name);
    if (found == index_.end()) return std::nullopt;
    return entries_[found->second].second;
  }
  EnvList take() { return std::move(entries_); }

 private:
  EnvList entries_;
  std::map<std::string, size_t> index_;
};

}  // namespace

std::string expand_variables(
    std::string_view input,
    const std::function<std::optional<std::string>(const std::string&)>& lookup) {
  std::string out;
  size_t checkpoint = 0;
  for (size_t cursor = 0; cursor < input.size(); ++cursor) {
    if (input[cursor] != '$' || cursor + 1 >= input.size()) continue;
    out.append(input.substr(checkpoint, cursor - checkpoint));
    const char next = input[cursor + 1];
    size_t advance = 1;
    if (next == '$') {
      out += '$';
    } else if (next == '(') {
      const size_t close = input.find(')', cursor + 2);
      if (close == std::string_view::npos) {
        out += "$(";
      } else {
        const std::string name(input.substr(cursor + 2, close - cursor - 2));
        std::optional<std::string> value = lookup(name);
        out += value ? *value : "$(" + name + ")";
        advance = close - cursor;
      }
    } else {
      out += '$';
      out += next;
    }
    cursor += advance;
    checkpoint = cursor + 1;
  }
  if (checkpoint < input.size()) out.append(input.substr(checkpoint));
  return out;
}

bool is_env_var_name(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '-' || c == '.';
    const bool digit = c >= '0' && c <= '9';
    if (!letter && !(digit && i > 0)) return false;
  }
  return true;
}

std::map<std::string, std::string> object_data(std::string_view kind, const Json& object) {
  std::map<std::string, std::string> out;
  auto read = [&](const char* key, bool base64) {
    auto found = object.find(key);
    if (found == object.end() || found->is_null()) return;
    if (!found->is_object())
      throw ContainerConfigError(std::string(kind) + " " + key + " must be an object");
    for (const auto& [name, value] : found->items()) {
      if (!value.is_string())
        throw ContainerConfigError(std::string(kind) + " key " + name + " is not a string");
      if (!base64) {
        out[name] = value.get<std::string>();
        continue;
      }
      std::optional<std::string> bytes = api::base64_decode(value.get<std::string>());
      if (!bytes)
        throw ContainerConfigError(std::string(kind) + " key " + name + " is not valid base64");
      out[name] = std::move(*bytes);
    }
  };
  if (!object.is_object()) throw ContainerConfigError(std::string(kind) + " is not an object");
  if (kind == "Secret") {
    read("data", true);
  } else {
    read("binaryData", true);
    read("data", false);
  }
  return out;
}

EnvList build_environment(const ContainerSpec& container, const PodSpecView& pod,
                          const PodRuntimeFields& fields, ObjectSource& objects) {
  const std::string& ns = pod.key.namespace_name;
  Environment env;
  for (const auto& from : container.env_from) {
    const std::string_view kind = from.kind == EnvFromSpec::Kind::Secret ? "Secret" : "ConfigMap";
    auto data = read_object(objects, kind, ns, from.name, from.optional);
    if (!data) continue;
    // Keys that are not variable names are skipped, as the kubelet does.
    for (const auto& [key, value] : *data)
      if (is_env_var_name(from.prefix + key)) env.set(from.prefix + key, value);
  }
  auto lookup = [&](const std::string& name) { return env.get(name); };
  for (const auto& var : container.env) {
    switch (var.kind) {
      case EnvVarSpec::Kind::Value:
        env.set(var.name, expand_variables(var.value, lookup));
        break;
      case EnvVarSpec::Kind::Field:
        env.set(var.name, field_value(var.field_path, pod, fields));
        break;
      case EnvVarSpec::Kind::ConfigMapKey:
      case EnvVarSpec::Kind::SecretKey: {
        const bool secret = var.kind == EnvVarSpec::Kind::SecretKey;
        const std::string_view kind = secret ? "Secret" : "ConfigMap";
        auto data = read_object(objects, kind, ns, var.key_ref.name, var.key_ref.optional);
        if (!data) break;
        auto found = data->find(var.key_ref.key);
        if (found == data->end()) {
          if (var.key_ref.optional) break;
          throw ContainerConfigError("couldn't find key " + var.key_ref.key + " in " +
                                     std::string(kind) + " " + ns + "/" + var.key_ref.name);
        }
        env.set(var.name, found->second);
        break;
      }
    }
  }
  return env.take();
}

runtime::ContainerConfig make_container_config(const ContainerSpec& container,
                                               const PodSpecView& pod, uint32_t attempt,
                                               const EnvList& env,
                                               std::vector<runtime::Mount> mounts) {
  std::map<std::string, std::string> values(env.begin(), env.end());
  auto lookup = [&](const std::string& name) -> std::optional<std::string> {
    auto found = values.find(name);
    if (found == values.end()) return std::nullopt;
    return found->second;
  };
  runtime::ContainerConfig config;
  config.name = container.name;
  config.attempt = attempt;
  config.image = container.image;
  for (const auto& word : container.command)
    config.command.push_back(expand_variables(word, lookup));
  for (const auto& word : container.args) config.args.push_back(expand_variables(word, lookup));
  config.env = env;
  config.working_dir = container.working_dir;
  config.mounts = std::move(mounts);
  for (const auto& port : container.ports)
    config.ports.push_back({port.container_port, port.host_port, port.protocol, port.host_ip});
  config.run_as_user = container.run_as_user;
  config.memory_limit_bytes = container.memory_limit_bytes;
  config.cpu_limit_millicores = container.cpu_limit_millicores;
  config.labels[std::string(kGracePeriodLabel)] = std::to_string(pod.termination_grace.count());
  return config;
}

}  // namespace skiff::agent::pods
