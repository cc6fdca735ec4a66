// core/v1 Service as `kubectl create service clusterip|nodeport|loadbalancer|externalname`
// sends it (field numbers from k8s.io/api/core/v1 generated.proto, checked against bodies
// captured from kubectl 1.32). Fields with a value that this decoder does not know give 415.
#include "pkg/api/errors.h"
#include "pkg/api/protobuf_wire.h"

namespace skiff::api::protobuf {

namespace {

constexpr const char* kServiceKind = "v1/Service";

Json decode_service_port(std::string_view bytes) {
  Json port = Json::object();
  Reader reader(bytes);
  Field f;
  while (reader.next(f)) {
    switch (f.number) {
      case 1:
        set_string(port, "name", f);
        break;
      case 2:
        set_string(port, "protocol", f);
        break;
      case 3:
        set_int(port, "port", f);
        break;
      case 4: {
        expect_wire(f, kLengthDelimited, "targetPort");
        Json target = decode_int_or_string(f.bytes);
        if (target != 0 && target != "") port["targetPort"] = target;
        break;
      }
      case 5:
        if (f.varint != 0) set_int(port, "nodePort", f);
        break;
      case 6:
        set_string(port, "appProtocol", f);
        break;
      default:
        reject_unknown(f, kServiceKind, "ServicePort");
    }
  }
  return port;
}

Json decode_service_spec(std::string_view bytes) {
  Json spec = Json::object();
  Reader reader(bytes);
  Field f;
  while (reader.next(f)) {
    switch (f.number) {
      case 1:
        expect_wire(f, kLengthDelimited, "ports");
        spec["ports"].push_back(decode_service_port(f.bytes));
        break;
      case 2:
        add_map_entry(spec, "selector", f, false);
        break;
      case 3:
        set_string(spec, "clusterIP", f);
        break;
      case 4:
        set_string(spec, "type", f);
        break;
      case 5:
        push_string(spec, "externalIPs", f);
        break;
      case 7:
        set_string(spec, "sessionAffinity", f);
        break;
      case 8:
        set_string(spec, "loadBalancerIP", f);
        break;
      case 9:
        push_string(spec, "loadBalancerSourceRanges", f);
        break;
      case 10:
        set_string(spec, "externalName", f);
        break;
      case 11:
        set_string(spec, "externalTrafficPolicy", f);
        break;
      case 12:
        if (f.varint != 0) set_int(spec, "healthCheckNodePort", f);
        break;
      case 13:
        set_true(spec, "publishNotReadyAddresses", f);
        break;
      default:
        reject_unknown(f, kServiceKind, "ServiceSpec");
    }
  }
  return spec;
}

}  // namespace

void decode_service(std::string_view bytes, Json& object) {
  decode_metadata_and_spec(bytes, object, decode_service_spec);
}

}  // namespace skiff::api::protobuf
