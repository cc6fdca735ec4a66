#include "pkg/kubectl/pod_template_text.h"

#include <map>

#include "pkg/kubectl/json_access.h"

namespace skiff::kubectl {
namespace {

std::string text(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return "";
  return value.dump();
}

// "<title>:\tk=v\n" with further pairs on "\tk=v" lines, sorted by key (kubectl's
// printLabelsMultiline); "<none>" when empty.
void labels(std::string& out, const std::string& title, const Json& map) {
  out += title + ":\t";
  if (!map.is_object() || map.empty()) {
    out += "<none>\n";
    return;
  }
  std::map<std::string, std::string> sorted;
  for (const auto& [key, value] : map.items()) sorted[key] = text(value);
  bool first = true;
  for (const auto& [key, value] : sorted) {
    out += (first ? "" : "\t") + key + "=" + value + "\n";
    first = false;
  }
}

void annotations(std::string& out, const Json& map) {
  out += "  Annotations:\t";
  std::map<std::string, std::string> sorted;
  for (const auto& [key, value] : map.items())
    if (key != "kubectl.kubernetes.io/last-applied-configuration") sorted[key] = text(value);
  if (sorted.empty()) {
    out += "<none>\n";
    return;
  }
  bool first = true;
  for (const auto& [key, value] : sorted) {
    out += (first ? "" : "\t") + key + ": " + value + "\n";
    first = false;
  }
}

// "80/TCP, 443/TCP" from the containers' ports (`field` containerPort or hostPort).
std::string ports(const Json& container, const char* field) {
  std::string out;
  for (const auto& port : member(container, "ports")) {
    std::string number = member(port, field).is_number() ? text(port[field]) : "0";
    std::string protocol = port.value("protocol", std::string("TCP"));
    out += (out.empty() ? "" : ", ") + number + "/" + protocol;
  }
  return out;
}

void string_list(std::string& out, const char* title, const Json& list) {
  if (!list.is_array() || list.empty()) return;
  out += std::string("    ") + title + ":\n";
  for (const auto& item : list) out += "      " + text(item) + "\n";
}

void resources(std::string& out, const char* title, const Json& map) {
  if (!map.is_object() || map.empty()) return;
  out += std::string("    ") + title + ":\n";
  for (const auto& [key, value] : map.items()) out += "      " + key + ":\t" + text(value) + "\n";
}

void containers(std::string& out, const char* title, const Json& list) {
  out += std::string("  ") + title + ":\n";
  for (const auto& c : list) {
    out += "   " + c.value("name", std::string()) + ":\n";
    out += "    Image:\t" + c.value("image", std::string()) + "\n";
    std::string container_ports = ports(c, "containerPort");
    bool several = container_ports.find(',') != std::string::npos;
    out += std::string(several ? "    Ports:\t" : "    Port:\t") +
           (container_ports.empty() ? "<none>" : container_ports) + "\n";
    std::string host_ports = ports(c, "hostPort");
    several = host_ports.find(',') != std::string::npos;
    out += std::string(several ? "    Host Ports:\t" : "    Host Port:\t") +
           (host_ports.empty() ? "<none>" : host_ports) + "\n";
    string_list(out, "Command", member(c, "command"));
    string_list(out, "Args", member(c, "args"));
    resources(out, "Limits", member(member(c, "resources"), "limits"));
    resources(out, "Requests", member(member(c, "resources"), "requests"));
    const Json& env = member(c, "env");
    if (!env.is_array() || env.empty()) {
      out += "    Environment:\t<none>\n";
    } else {
      out += "    Environment:\n";
      for (const auto& e : env)
        out += "      " + e.value("name", std::string()) + ":\t" +
               (e.contains("value") ? text(e["value"]) : "<set to the key in a reference>") + "\n";
    }
    const Json& mounts = member(c, "volumeMounts");
    if (!mounts.is_array() || mounts.empty()) {
      out += "    Mounts:\t<none>\n";
    } else {
      out += "    Mounts:\n";
      for (const auto& m : mounts)
        out += "      " + m.value("mountPath", std::string()) + " from " +
               m.value("name", std::string()) + (m.value("readOnly", false) ? " (ro)" : " (rw)") +
               "\n";
    }
  }
}

}  // namespace

std::string pod_template_text(const Json& pod_template) {
  std::string out = "Pod Template:\n";
  const Json& metadata = member(pod_template, "metadata");
  const Json& spec = member(pod_template, "spec");
  labels(out, "  Labels", member(metadata, "labels"));
  if (member(metadata, "annotations").is_object() && !metadata["annotations"].empty())
    annotations(out, metadata["annotations"]);
  if (auto account = member(spec, "serviceAccountName");
      account.is_string() && !text(account).empty())
    out += "  Service Account:\t" + text(account) + "\n";
  if (member(spec, "initContainers").is_array() && !spec["initContainers"].empty())
    containers(out, "Init Containers", spec["initContainers"]);
  containers(out, "Containers", member(spec, "containers"));
  const Json& volumes = member(spec, "volumes");
  if (!volumes.is_array() || volumes.empty()) {
    out += "  Volumes:\t<none>\n";
  } else {
    out += "  Volumes:\n";
    for (const auto& v : volumes) {
      out += "   " + v.value("name", std::string()) + ":\n";
      for (const auto& [source, detail] : v.items())
        if (source != "name") out += "    Type:\t" + source + "\n";
    }
  }
  labels(out, "  Node-Selectors", member(spec, "nodeSelector"));
  const Json& tolerations = member(spec, "tolerations");
  if (!tolerations.is_array() || tolerations.empty()) {
    out += "  Tolerations:\t<none>\n";
  } else {
    out += "  Tolerations:\t";
    bool first = true;
    for (const auto& t : tolerations) {
      std::string line = t.value("key", std::string());
      if (t.contains("value")) line += "=" + text(t["value"]);
      if (t.contains("effect")) line += ":" + text(t["effect"]);
      if (t.value("operator", std::string()) == "Exists") line += " op=Exists";
      if (t.contains("tolerationSeconds")) line += " for " + text(t["tolerationSeconds"]) + "s";
      out += (first ? "" : "\t\t\t") + line + "\n";
      first = false;
    }
  }
  if (auto priority = member(spec, "priorityClassName");
      priority.is_string() && !text(priority).empty())
    out += "  Priority Class Name:\t" + text(priority) + "\n";
  return out;
}

}  // namespace skiff::kubectl
