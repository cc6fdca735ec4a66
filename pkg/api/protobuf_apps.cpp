// apps/v1 Deployment as `kubectl create deployment` sends it (field numbers from
// k8s.io/api/apps/v1 and core/v1 generated.proto). Only the fields that command can set are
// decoded; any other field that carries a value makes the whole body 415 (send JSON instead), so
// a field is never dropped silently.
#include <string>

#include "pkg/api/errors.h"
#include "pkg/api/protobuf_wire.h"

namespace skiff::api::protobuf {

namespace {

Json decode_label_selector(std::string_view bytes) {
  Json selector = Json::object();
  Reader reader(bytes);
  Field f;
  while (reader.next(f)) {
    if (f.number == 1) {
      add_map_entry(selector, "matchLabels", f, false);
    } else if (f.number == 2) {
      expect_wire(f, kLengthDelimited, "matchExpressions");
      Json requirement = Json::object();
      Reader inner(f.bytes);
      Field g;
      while (inner.next(g)) {
        if (g.number == 1) set_string(requirement, "key", g);
        if (g.number == 2) set_string(requirement, "operator", g);
        if (g.number == 3) push_string(requirement, "values", g);
      }
      selector["matchExpressions"].push_back(requirement);
    } else {
      reject_unknown(f, "apps/v1/Deployment", "LabelSelector");
    }
  }
  return selector;
}

Json decode_container_port(std::string_view bytes) {
  Json port = Json::object();
  Reader reader(bytes);
  Field f;
  while (reader.next(f)) {
    switch (f.number) {
      case 1:
        set_string(port, "name", f);
        break;
      case 2:
        if (f.varint != 0) set_int(port, "hostPort", f);
        break;
      case 3:
        set_int(port, "containerPort", f);
        break;
      case 4:
        set_string(port, "protocol", f);
        break;
      case 5:
        set_string(port, "hostIP", f);
        break;
      default:
        reject_unknown(f, "apps/v1/Deployment", "ContainerPort");
    }
  }
  return port;
}

Json decode_container(std::string_view bytes) {
  Json container = Json::object();
  Reader reader(bytes);
  Field f;
  while (reader.next(f)) {
    switch (f.number) {
      case 1:
        set_string(container, "name", f);
        break;
      case 2:
        set_string(container, "image", f);
        break;
      case 3:
        push_string(container, "command", f);
        break;
      case 4:
        push_string(container, "args", f);
        break;
      case 5:
        set_string(container, "workingDir", f);
        break;
      case 6:
        expect_wire(f, kLengthDelimited, "ports");
        container["ports"].push_back(decode_container_port(f.bytes));
        break;
      case 13:
        set_string(container, "terminationMessagePath", f);
        break;
      case 14:
        set_string(container, "imagePullPolicy", f);
        break;
      case 20:
        set_string(container, "terminationMessagePolicy", f);
        break;
      default:
        reject_unknown(f, "apps/v1/Deployment", "Container");  // e.g. 8 resources: fine when empty
    }
  }
  return container;
}

Json decode_pod_spec(std::string_view bytes) {
  Json spec = Json::object();
  Reader reader(bytes);
  Field f;
  while (reader.next(f)) {
    switch (f.number) {
      case 2:
        expect_wire(f, kLengthDelimited, "containers");
        spec["containers"].push_back(decode_container(f.bytes));
        break;
      case 3:
        set_string(spec, "restartPolicy", f);
        break;
      case 4:
        set_int(spec, "terminationGracePeriodSeconds", f);
        break;
      case 6:
        set_string(spec, "dnsPolicy", f);
        break;
      case 8:
        set_string(spec, "serviceAccountName", f);
        break;
      case 19:
        set_string(spec, "schedulerName", f);
        break;
      default:
        reject_unknown(f, "apps/v1/Deployment", "PodSpec");
    }
  }
  return spec;
}

Json decode_pod_template(std::string_view bytes) {
  Json template_ = Json::object();
  Reader reader(bytes);
  Field f;
  while (reader.next(f)) {
    if (f.number == 1) {
      expect_wire(f, kLengthDelimited, "metadata");
      Json metadata = decode_object_meta(f.bytes);
      if (!metadata.empty()) template_["metadata"] = metadata;
    } else if (f.number == 2) {
      expect_wire(f, kLengthDelimited, "spec");
      template_["spec"] = decode_pod_spec(f.bytes);
    } else {
      reject_unknown(f, "apps/v1/Deployment", "PodTemplateSpec");
    }
  }
  return template_;
}

Json decode_strategy(std::string_view bytes) {
  Json strategy = Json::object();
  Reader reader(bytes);
  Field f;
  while (reader.next(f)) {
    if (f.number == 1) {
      set_string(strategy, "type", f);
    } else if (f.number == 2) {
      expect_wire(f, kLengthDelimited, "rollingUpdate");
      Json rolling = Json::object();
      Reader inner(f.bytes);
      Field g;
      while (inner.next(g)) {
        expect_wire(g, kLengthDelimited, "rollingUpdate");
        if (g.number == 1) rolling["maxUnavailable"] = decode_int_or_string(g.bytes);
        if (g.number == 2) rolling["maxSurge"] = decode_int_or_string(g.bytes);
      }
      strategy["rollingUpdate"] = rolling;
    } else {
      reject_unknown(f, "apps/v1/Deployment", "DeploymentStrategy");
    }
  }
  return strategy;
}

Json decode_deployment_spec(std::string_view bytes) {
  Json spec = Json::object();
  Reader reader(bytes);
  Field f;
  while (reader.next(f)) {
    switch (f.number) {
      case 1:
        set_int(spec, "replicas", f);
        break;  // *int32: present means set, even 0
      case 2:
        expect_wire(f, kLengthDelimited, "selector");
        spec["selector"] = decode_label_selector(f.bytes);
        break;
      case 3:
        expect_wire(f, kLengthDelimited, "template");
        spec["template"] = decode_pod_template(f.bytes);
        break;
      case 4: {
        expect_wire(f, kLengthDelimited, "strategy");
        Json strategy = decode_strategy(f.bytes);
        if (!strategy.empty()) spec["strategy"] = strategy;
        break;
      }
      case 5:
        if (f.varint != 0) set_int(spec, "minReadySeconds", f);
        break;
      case 6:
        set_int(spec, "revisionHistoryLimit", f);
        break;
      case 7:
        set_true(spec, "paused", f);
        break;
      case 9:
        set_int(spec, "progressDeadlineSeconds", f);
        break;
      default:
        reject_unknown(f, "apps/v1/Deployment", "DeploymentSpec");
    }
  }
  return spec;
}

}  // namespace

void decode_deployment(std::string_view bytes, Json& object) {
  decode_metadata_and_spec(bytes, object, decode_deployment_spec);
}

}  // namespace skiff::api::protobuf
