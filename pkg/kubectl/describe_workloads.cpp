// Describers for Pod, Deployment and ReplicaSet.
#include "pkg/kubectl/describe_kinds.h"
#include "pkg/kubectl/json_access.h"

namespace skiff::kubectl {
namespace {

std::string ports_text(const Json& container, const char* key) {
  std::string out;
  for (const auto& port : container.value("ports", Json::array())) {
    if (!port.contains(key)) continue;
    out += (out.empty() ? "" : ", ") + text_of(port[key]) + "/" +
           port.value("protocol", std::string("TCP"));
  }
  return out;
}

const Json* status_for(const Json& statuses, const std::string& name) {
  if (!statuses.is_array()) return nullptr;
  for (const auto& s : statuses)
    if (s.value("name", "") == name) return &s;
  return nullptr;
}

void describe_state(DescribeWriter& w, int level, const char* title, const Json& state) {
  if (!state.is_object() || state.empty()) {
    w.field(level, title, "Waiting");
    return;
  }
  if (state.contains("running")) {
    w.field(level, title, "Running");
    w.field(level + 1, "Started", describe_time(state["running"].value("startedAt", Json())));
  } else if (state.contains("waiting")) {
    w.field(level, title, "Waiting");
    if (auto reason = state["waiting"].value("reason", std::string()); !reason.empty())
      w.field(level + 1, "Reason", reason);
  } else if (state.contains("terminated")) {
    const Json& t = state["terminated"];
    w.field(level, title, "Terminated");
    w.field(level + 1, "Reason", t.value("reason", std::string()));
    w.field(level + 1, "Exit Code", text_of(t.value("exitCode", Json(0))));
    w.field(level + 1, "Started", describe_time(t.value("startedAt", Json())));
    w.field(level + 1, "Finished", describe_time(t.value("finishedAt", Json())));
  }
}

std::string selector_text(const Json& selector) {
  std::string out;
  for (const auto& [key, value] : member(selector, "matchLabels").items())
    out += (out.empty() ? "" : ",") + key + "=" + text_of(value);
  return out;
}

std::string owner_text(const Json& metadata) {
  for (const auto& ref : metadata.value("ownerReferences", Json::array()))
    if (ref.value("controller", false)) return ref.value("kind", "") + "/" + ref.value("name", "");
  return "";
}

void describe_pod_template(DescribeWriter& w, const Json& template_spec) {
  w.line(0, "Pod Template:");
  const Json& metadata = template_spec.value("metadata", Json::object());
  w.map_field(1, "Labels", metadata.value("labels", Json::object()));
  if (metadata.contains("annotations")) w.annotations(1, metadata);
  describe_containers(w, 1, template_spec.value("spec", Json::object()), Json());
  w.field(1, "Volumes", "<none>");
}

}  // namespace

void describe_conditions(DescribeWriter& w, const Json& conditions, bool with_reason) {
  if (!conditions.is_array() || conditions.empty()) return;
  w.line(0, "Conditions:");
  w.line(1, with_reason ? "Type\tStatus\tReason" : "Type\tStatus");
  w.line(1, with_reason ? "----\t------\t------" : "----\t------");
  for (const auto& c : conditions) {
    std::string row = c.value("type", "") + "\t" + c.value("status", "");
    if (with_reason) row += "\t" + c.value("reason", std::string());
    w.line(1, row);
  }
}

void describe_containers(DescribeWriter& w, int level, const Json& spec, const Json& statuses) {
  w.line(level, "Containers:");
  for (const auto& c : spec.value("containers", Json::array())) {
    std::string name = c.value("name", "");
    w.line(level + 1, name + ":");
    const Json* status = status_for(statuses, name);
    int l = level + 2;
    if (status) w.field(l, "Container ID", status->value("containerID", std::string()));
    w.field(l, "Image", c.value("image", ""));
    if (status) w.field(l, "Image ID", status->value("imageID", std::string()));
    std::string ports = ports_text(c, "containerPort");
    w.field(l, ports.find(',') == std::string::npos ? "Port" : "Ports", ports);
    std::string host_ports = ports_text(c, "hostPort");
    w.field(l, host_ports.find(',') == std::string::npos ? "Host Port" : "Host Ports",
            host_ports.empty() ? (ports.empty() ? "<none>" : "0/TCP") : host_ports);
    if (c.contains("command")) {
      w.line(l, "Command:");
      for (const auto& part : c["command"]) w.line(l + 1, text_of(part));
    }
    if (c.contains("args")) {
      w.line(l, "Args:");
      for (const auto& part : c["args"]) w.line(l + 1, text_of(part));
    }
    if (status) {
      describe_state(w, l, "State", status->value("state", Json::object()));
      if (status->contains("lastState") && !(*status)["lastState"].empty())
        describe_state(w, l, "Last State", (*status)["lastState"]);
      w.field(l, "Ready", status->value("ready", false) ? "True" : "False");
      w.field(l, "Restart Count", text_of(status->value("restartCount", Json(0))));
    }
    const Json& env = c.value("env", Json::array());
    if (env.empty()) {
      w.field(l, "Environment", "<none>");
    } else {
      w.line(l, "Environment:");
      for (const auto& e : env) {
        std::string value = e.contains("value") ? text_of(e["value"]) : "<set from a reference>";
        w.line(l + 1, e.value("name", "") + ":\t" + value);
      }
    }
    const Json& mounts = c.value("volumeMounts", Json::array());
    if (mounts.empty()) {
      w.field(l, "Mounts", "<none>");
    } else {
      w.line(l, "Mounts:");
      for (const auto& m : mounts)
        w.line(l + 1, m.value("mountPath", "") + " from " + m.value("name", "") +
                          (m.value("readOnly", false) ? " (ro)" : " (rw)"));
    }
  }
}

void describe_pod(DescribeWriter& w, const Json& pod) {
  const Json& metadata = pod.value("metadata", Json::object());
  const Json& spec = pod.value("spec", Json::object());
  const Json& status = pod.value("status", Json::object());
  w.field(0, "Name", metadata.value("name", ""));
  w.field(0, "Namespace", metadata.value("namespace", ""));
  w.field(0, "Priority", text_of(spec.value("priority", Json(0))));
  w.field(0, "Service Account", spec.value("serviceAccountName", std::string("default")));
  std::string node = spec.value("nodeName", std::string());
  if (!node.empty() && status.contains("hostIP")) node += "/" + status.value("hostIP", "");
  w.field(0, "Node", node);
  w.field(0, "Start Time", status.contains("startTime") ? describe_time(status["startTime"]) : "");
  w.map_field(0, "Labels", metadata.value("labels", Json::object()));
  w.annotations(0, metadata);
  if (metadata.contains("deletionTimestamp"))
    w.field(0, "Status",
            "Terminating (lasts " + describe_time(metadata["deletionTimestamp"]) + ")");
  else
    w.field(0, "Status", status.value("phase", std::string("Pending")));
  if (auto reason = status.value("reason", std::string()); !reason.empty())
    w.field(0, "Reason", reason);
  if (auto message = status.value("message", std::string()); !message.empty())
    w.field(0, "Message", message);
  w.field(0, "IP", status.value("podIP", std::string()));
  const Json& ips = status.value("podIPs", Json::array());
  if (ips.empty()) {
    w.field(0, "IPs", "<none>");
  } else {
    w.line(0, "IPs:");
    for (const auto& ip : ips) w.field(1, "IP", ip.value("ip", ""));
  }
  if (auto owner = owner_text(metadata); !owner.empty()) w.field(0, "Controlled By", owner);
  describe_containers(w, 0, spec, status.value("containerStatuses", Json::array()));
  describe_conditions(w, status.value("conditions", Json::array()), false);
  w.field(0, "Volumes",
          spec.value("volumes", Json::array()).empty() ? "<none>"
                                                       : std::to_string(spec["volumes"].size()));
  w.field(0, "QoS Class", status.value("qosClass", std::string("BestEffort")));
  w.map_field(0, "Node-Selectors", spec.value("nodeSelector", Json::object()), ":");
  w.field(
      0, "Tolerations",
      spec.value("tolerations", Json::array()).empty() ? "<none>" : text_of(spec["tolerations"]));
}

void describe_deployment(DescribeWriter& w, const Json& d) {
  const Json& spec = d.value("spec", Json::object());
  const Json& status = d.value("status", Json::object());
  write_metadata(w, d, true);
  w.field(0, "Selector", selector_text(spec.value("selector", Json::object())));
  auto num = [](const Json& o, const char* k) { return std::to_string(o.value(k, 0LL)); };
  long long desired = spec.value("replicas", 1LL);
  w.field(0, "Replicas",
          std::to_string(desired) + " desired | " + num(status, "updatedReplicas") + " updated | " +
              num(status, "replicas") + " total | " + num(status, "availableReplicas") +
              " available | " + num(status, "unavailableReplicas") + " unavailable");
  const Json& strategy = spec.value("strategy", Json::object());
  std::string type = strategy.value("type", std::string("RollingUpdate"));
  w.field(0, "StrategyType", type);
  w.field(0, "MinReadySeconds", num(spec, "minReadySeconds"));
  if (type == "RollingUpdate") {
    const Json& ru = strategy.value("rollingUpdate", Json::object());
    w.field(0, "RollingUpdateStrategy",
            text_of(ru.value("maxUnavailable", Json("25%"))) + " max unavailable, " +
                text_of(ru.value("maxSurge", Json("25%"))) + " max surge");
  }
  describe_pod_template(w, spec.value("template", Json::object()));
  describe_conditions(w, status.value("conditions", Json::array()), true);
}

void describe_replicaset(DescribeWriter& w, const Json& rs) {
  const Json& metadata = rs.value("metadata", Json::object());
  const Json& spec = rs.value("spec", Json::object());
  const Json& status = rs.value("status", Json::object());
  w.field(0, "Name", metadata.value("name", ""));
  w.field(0, "Namespace", metadata.value("namespace", ""));
  w.field(0, "Selector", selector_text(spec.value("selector", Json::object())));
  w.map_field(0, "Labels", metadata.value("labels", Json::object()));
  w.annotations(0, metadata);
  if (auto owner = owner_text(metadata); !owner.empty()) w.field(0, "Controlled By", owner);
  w.field(0, "Replicas",
          std::to_string(status.value("replicas", 0LL)) + " current / " +
              std::to_string(spec.value("replicas", 1LL)) + " desired");
  w.field(0, "Pods Status",
          std::to_string(status.value("readyReplicas", 0LL)) +
              " Running / 0 Waiting / 0 Succeeded / 0 Failed");
  describe_pod_template(w, spec.value("template", Json::object()));
  describe_conditions(w, status.value("conditions", Json::array()), true);
}

}  // namespace skiff::kubectl
