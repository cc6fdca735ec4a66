// networking.k8s.io/v1 Ingress as `kubectl create ingress` sends it (field numbers from
// k8s.io/api/networking/v1 generated.proto, checked against a body captured from kubectl 1.32).
// Fields with a value that this decoder does not know give 415, as for the other kinds.
#include "pkg/api/errors.h"
#include "pkg/api/protobuf_wire.h"

namespace skiff::api::protobuf {

namespace {

constexpr const char* kIngressKind = "networking.k8s.io/v1/Ingress";

// ServiceBackendPort {1 name, 2 number}: Go writes both; the unset one is "" or 0.
Json decode_backend_port(std::string_view bytes) {
  Json port = Json::object();
  Reader reader(bytes);
  Field f;
  while (reader.next(f)) {
    if (f.number == 1) {
      set_string(port, "name", f);
    } else if (f.number == 2) {
      if (f.varint != 0) set_int(port, "number", f);
    } else {
      reject_unknown(f, kIngressKind, "ServiceBackendPort");
    }
  }
  return port;
}

// IngressBackend {3 resource (TypedLocalObjectReference), 4 service}.
Json decode_backend(std::string_view bytes) {
  Json backend = Json::object();
  Reader reader(bytes);
  Field f;
  while (reader.next(f)) {
    if (f.number == 4) {
      expect_wire(f, kLengthDelimited, "service");
      Json service = Json::object();
      Reader inner(f.bytes);
      Field g;
      while (inner.next(g)) {
        if (g.number == 1) {
          set_string(service, "name", g);
        } else if (g.number == 2) {
          expect_wire(g, kLengthDelimited, "port");
          service["port"] = decode_backend_port(g.bytes);
        } else {
          reject_unknown(g, kIngressKind, "IngressServiceBackend");
        }
      }
      backend["service"] = std::move(service);
    } else if (f.number == 3) {
      expect_wire(f, kLengthDelimited, "resource");
      Json resource = Json::object();
      Reader inner(f.bytes);
      Field g;
      while (inner.next(g)) {
        if (g.number == 1) set_string(resource, "apiGroup", g);
        if (g.number == 2) set_string(resource, "kind", g);
        if (g.number == 3) set_string(resource, "name", g);
      }
      backend["resource"] = std::move(resource);
    } else {
      reject_unknown(f, kIngressKind, "IngressBackend");
    }
  }
  return backend;
}

// HTTPIngressPath {1 path, 2 backend, 3 pathType}.
Json decode_path(std::string_view bytes) {
  Json path = Json::object();
  Reader reader(bytes);
  Field f;
  while (reader.next(f)) {
    if (f.number == 1) {
      set_string(path, "path", f);
    } else if (f.number == 2) {
      expect_wire(f, kLengthDelimited, "backend");
      path["backend"] = decode_backend(f.bytes);
    } else if (f.number == 3) {
      set_string(path, "pathType", f);
    } else {
      reject_unknown(f, kIngressKind, "HTTPIngressPath");
    }
  }
  return path;
}

// IngressRule {1 host, 2 IngressRuleValue {1 http: HTTPIngressRuleValue {1 paths}}}; the rule
// value is inlined in JSON, so its `http` lands on the rule.
Json decode_rule(std::string_view bytes) {
  Json rule = Json::object();
  Reader reader(bytes);
  Field f;
  while (reader.next(f)) {
    if (f.number == 1) {
      set_string(rule, "host", f);
    } else if (f.number == 2) {
      expect_wire(f, kLengthDelimited, "ingressRuleValue");
      Reader value(f.bytes);
      Field g;
      while (value.next(g)) {
        if (g.number != 1) {
          reject_unknown(g, kIngressKind, "IngressRuleValue");
          continue;
        }
        expect_wire(g, kLengthDelimited, "http");
        Json http = {{"paths", Json::array()}};
        Reader paths(g.bytes);
        Field h;
        while (paths.next(h)) {
          if (h.number != 1) {
            reject_unknown(h, kIngressKind, "HTTPIngressRuleValue");
            continue;
          }
          expect_wire(h, kLengthDelimited, "paths");
          http["paths"].push_back(decode_path(h.bytes));
        }
        rule["http"] = std::move(http);
      }
    } else {
      reject_unknown(f, kIngressKind, "IngressRule");
    }
  }
  return rule;
}

// IngressTLS {1 hosts, 2 secretName}.
Json decode_tls(std::string_view bytes) {
  Json tls = Json::object();
  Reader reader(bytes);
  Field f;
  while (reader.next(f)) {
    if (f.number == 1) {
      push_string(tls, "hosts", f);
    } else if (f.number == 2) {
      set_string(tls, "secretName", f);
    } else {
      reject_unknown(f, kIngressKind, "IngressTLS");
    }
  }
  return tls;
}

// IngressSpec {1 defaultBackend, 2 tls, 3 rules, 4 ingressClassName}.
Json decode_ingress_spec(std::string_view bytes) {
  Json spec = Json::object();
  Reader reader(bytes);
  Field f;
  while (reader.next(f)) {
    switch (f.number) {
      case 1:
        expect_wire(f, kLengthDelimited, "defaultBackend");
        spec["defaultBackend"] = decode_backend(f.bytes);
        break;
      case 2:
        expect_wire(f, kLengthDelimited, "tls");
        spec["tls"].push_back(decode_tls(f.bytes));
        break;
      case 3:
        expect_wire(f, kLengthDelimited, "rules");
        spec["rules"].push_back(decode_rule(f.bytes));
        break;
      case 4:
        set_string(spec, "ingressClassName", f);
        break;
      default:
        reject_unknown(f, kIngressKind, "IngressSpec");
    }
  }
  return spec;
}

}  // namespace

void decode_ingress(std::string_view bytes, Json& object) {
  decode_metadata_and_spec(bytes, object, decode_ingress_spec);
}

}  // namespace skiff::api::protobuf
