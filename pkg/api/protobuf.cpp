// Decoder for the Kubernetes protobuf envelope ("k8s\0" + runtime.Unknown) and the few object
// messages kubectl 1.32 sends as protobuf (Namespace, ConfigMap, Secret, ServiceAccount; the
// Deployment, Service and Ingress of `kubectl create deployment|service|ingress` are in
// protobuf_apps.cpp, protobuf_service.cpp and protobuf_ingress.cpp).
// Field numbers follow k8s.io/api/core/v1/generated.proto and
// k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto. Go writes empty strings, zero
// integers and empty messages explicitly; they are treated as unset so that the JSON looks like
// what kubectl would have sent as JSON.
#include "pkg/api/protobuf.h"

#include <string>

#include "pkg/api/base64.h"
#include "pkg/api/errors.h"
#include "pkg/api/protobuf_wire.h"

namespace skiff::api {

namespace {

using namespace protobuf;  // NOLINT: the wire helpers are this file's vocabulary

void decode_namespace(std::string_view bytes, Json& object) {
  Reader reader(bytes);
  Field f;
  while (reader.next(f)) {
    if (take_metadata(f, object)) continue;
    if (f.number == 2 || f.number == 3) {
      expect_wire(f, kLengthDelimited, f.number == 2 ? "spec" : "status");
      Reader inner(f.bytes);
      Field g;
      Json part = Json::object();
      while (inner.next(g)) {
        if (f.number == 2 && g.number == 1) push_string(part, "finalizers", g);
        if (f.number == 3 && g.number == 1) set_string(part, "phase", g);
      }
      if (!part.empty()) object[f.number == 2 ? "spec" : "status"] = part;
    }
  }
}

void decode_config_map(std::string_view bytes, Json& object) {
  Reader reader(bytes);
  Field f;
  while (reader.next(f)) {
    if (take_metadata(f, object)) continue;
    switch (f.number) {
      case 2:
        add_map_entry(object, "data", f, false);
        break;
      case 3:
        add_map_entry(object, "binaryData", f, true);
        break;
      case 4:
        expect_wire(f, kVarint, "immutable");
        object["immutable"] = f.varint != 0;
        break;
      default:
        break;
    }
  }
}

void decode_secret(std::string_view bytes, Json& object) {
  Reader reader(bytes);
  Field f;
  while (reader.next(f)) {
    if (take_metadata(f, object)) continue;
    switch (f.number) {
      case 2:
        add_map_entry(object, "data", f, true);
        break;
      case 3:
        set_string(object, "type", f);
        break;
      case 4:
        add_map_entry(object, "stringData", f, false);
        break;
      case 5:
        expect_wire(f, kVarint, "immutable");
        object["immutable"] = f.varint != 0;
        break;
      default:
        break;
    }
  }
}

Json decode_object_reference(std::string_view bytes) {
  static const char* const kNames[] = {nullptr, "kind",       "namespace",       "name",
                                       "uid",   "apiVersion", "resourceVersion", "fieldPath"};
  Json ref = Json::object();
  Reader reader(bytes);
  Field f;
  while (reader.next(f)) {
    if (f.number >= 1 && f.number <= 7) set_string(ref, kNames[f.number], f);
  }
  return ref;
}

void decode_service_account(std::string_view bytes, Json& object) {
  Reader reader(bytes);
  Field f;
  while (reader.next(f)) {
    if (take_metadata(f, object)) continue;
    switch (f.number) {
      case 2:
        expect_wire(f, kLengthDelimited, "secrets");
        object["secrets"].push_back(decode_object_reference(f.bytes));
        break;
      case 3: {
        expect_wire(f, kLengthDelimited, "imagePullSecrets");
        Json ref = Json::object();
        Reader inner(f.bytes);
        Field g;
        while (inner.next(g)) {
          if (g.number == 1) set_string(ref, "name", g);
        }
        object["imagePullSecrets"].push_back(ref);
        break;
      }
      case 4:
        expect_wire(f, kVarint, "automountServiceAccountToken");
        object["automountServiceAccountToken"] = f.varint != 0;
        break;
      default:
        break;
    }
  }
}

}  // namespace

Json decode_kubernetes_protobuf(std::string_view body) {
  static constexpr std::string_view kMagic("k8s\0", 4);
  if (body.substr(0, 4) != kMagic) {
    malformed("it does not start with the \"k8s\\x00\" envelope prefix");
  }
  std::string api_version, kind;
  std::string_view raw;
  Reader envelope(body.substr(4));
  Field f;
  while (envelope.next(f)) {
    if (f.number == 1) {
      expect_wire(f, kLengthDelimited, "typeMeta");
      Reader type_meta(f.bytes);
      Field g;
      while (type_meta.next(g)) {
        if (g.number == 1) api_version = as_string(g, "apiVersion");
        if (g.number == 2) kind = as_string(g, "kind");
      }
    } else if (f.number == 2) {
      expect_wire(f, kLengthDelimited, "raw");
      raw = f.bytes;
    } else if (f.number == 3) {
      if (!as_string(f, "contentEncoding").empty()) {
        throw unsupported_media_type("protobuf bodies with a content encoding are not supported");
      }
    }
  }
  if (kind.empty()) malformed("the envelope has no kind");
  Json object = {{"apiVersion", api_version}, {"kind", kind}};
  if (api_version == "v1" && kind == "Namespace") {
    decode_namespace(raw, object);
  } else if (api_version == "v1" && kind == "ConfigMap") {
    decode_config_map(raw, object);
  } else if (api_version == "v1" && kind == "Secret") {
    decode_secret(raw, object);
  } else if (api_version == "v1" && kind == "ServiceAccount") {
    decode_service_account(raw, object);
  } else if (api_version == "v1" && kind == "Service") {
    protobuf::decode_service(raw, object);
  } else if (api_version == "apps/v1" && kind == "Deployment") {
    protobuf::decode_deployment(raw, object);
  } else if (api_version == "networking.k8s.io/v1" && kind == "Ingress") {
    protobuf::decode_ingress(raw, object);
  } else {
    throw unsupported_media_type("the protobuf body for " + api_version + "/" + kind +
                                 " is not supported by skiff; send JSON (application/json) "
                                 "instead");
  }
  return object;
}

}  // namespace skiff::api
