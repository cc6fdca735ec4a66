// Decoding the protobuf bodies kubectl 1.32 sends for `create namespace|configmap|secret|
// serviceaccount` (KUBECTL.md section 11).
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "pkg/api/errors.h"
#include "pkg/api/protobuf.h"
#include "tests/unit/support/api_helpers.h"

namespace skiff::api {
namespace {

// A tiny protobuf writer for building test bodies.
std::string varint(uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
  return out;
}
std::string bytes_field(int number, const std::string& payload) {
  return varint(static_cast<uint64_t>(number) << 3 | 2) + varint(payload.size()) + payload;
}
std::string varint_field(int number, uint64_t v) {
  return varint(static_cast<uint64_t>(number) << 3) + varint(v);
}
std::string map_entry(int number, const std::string& key, const std::string& value) {
  return bytes_field(number, bytes_field(1, key) + bytes_field(2, value));
}
std::string envelope(const std::string& api_version, const std::string& kind,
                     const std::string& raw) {
  return std::string("k8s\0", 4) +
         bytes_field(1, bytes_field(1, api_version) + bytes_field(2, kind)) + bytes_field(2, raw) +
         bytes_field(3, "") + bytes_field(4, "");
}

std::string from_hex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size();) {
    if (hex[i] == ' ') {
      ++i;
      continue;
    }
    out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
    i += 2;
  }
  return out;
}

using test_support::error_code;

TEST(Protobuf, CreateNamespaceDemoExactBytes) {
  // KUBECTL.md section 11, byte for byte.
  std::string body = from_hex(
      "6b 38 73 00 0a 0f 0a 02 76 31 12 09 4e 61 6d 65 73 70 61 63 65 "
      "12 1c 0a 14 0a 04 64 65 6d 6f 12 00 1a 00 22 00 2a 00 32 00 38 00 42 00 "
      "12 00 1a 02 0a 00 1a 00 22 00");
  Json object = decode_kubernetes_protobuf(body);
  EXPECT_EQ(object,
            Json::parse(R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"demo"}})"));
}

TEST(Protobuf, ConfigMapWithLabelsAndData) {
  std::string meta = bytes_field(1, "cfg") + bytes_field(3, "default") + varint_field(7, 0) +
                     bytes_field(8, "") + map_entry(11, "app", "web") +
                     map_entry(12, "note", "hi") + bytes_field(14, "example.com/f");
  std::string raw = bytes_field(1, meta) + map_entry(2, "a", "1") + map_entry(2, "b", "two") +
                    map_entry(3, "bin", std::string("\x00\x01", 2)) + varint_field(4, 1);
  Json object = decode_kubernetes_protobuf(envelope("v1", "ConfigMap", raw));
  EXPECT_EQ(object, Json::parse(R"({"apiVersion":"v1","kind":"ConfigMap",
      "metadata":{"name":"cfg","namespace":"default","labels":{"app":"web"},
                  "annotations":{"note":"hi"},"finalizers":["example.com/f"]},
      "data":{"a":"1","b":"two"},"binaryData":{"bin":"AAE="},"immutable":true})"));
}

TEST(Protobuf, SecretDataIsBase64AndEmptyTypeStaysAbsent) {
  std::string raw = bytes_field(1, bytes_field(1, "sec")) + map_entry(2, "pw", "x") +
                    map_entry(2, "key", "hello") + bytes_field(3, "");
  Json object = decode_kubernetes_protobuf(envelope("v1", "Secret", raw));
  EXPECT_EQ(object["data"], Json::parse(R"({"pw":"eA==","key":"aGVsbG8="})"));
  EXPECT_FALSE(object.contains("type"));
  std::string tls = bytes_field(1, bytes_field(1, "t")) + bytes_field(3, "kubernetes.io/tls");
  EXPECT_EQ(decode_kubernetes_protobuf(envelope("v1", "Secret", tls))["type"], "kubernetes.io/tls");
}

TEST(Protobuf, ServiceAccountAndOwnerReferences) {
  std::string owner = bytes_field(1, "Deployment") + bytes_field(3, "web") + bytes_field(4, "u-1") +
                      bytes_field(5, "apps/v1") + varint_field(6, 1) + varint_field(7, 1);
  std::string meta = bytes_field(1, "builder") + bytes_field(13, owner);
  std::string raw = bytes_field(1, meta) + bytes_field(2, bytes_field(3, "tok")) +
                    bytes_field(3, bytes_field(1, "regcred")) + varint_field(4, 0);
  Json object = decode_kubernetes_protobuf(envelope("v1", "ServiceAccount", raw));
  EXPECT_EQ(object, Json::parse(R"({"apiVersion":"v1","kind":"ServiceAccount",
      "metadata":{"name":"builder","ownerReferences":[{"kind":"Deployment","name":"web","uid":"u-1",
                  "apiVersion":"apps/v1","controller":true,"blockOwnerDeletion":true}]},
      "secrets":[{"name":"tok"}],"imagePullSecrets":[{"name":"regcred"}],
      "automountServiceAccountToken":false})"));
}

TEST(Protobuf, CreationTimestamp) {
  std::string meta = bytes_field(1, "n") + bytes_field(8, varint_field(1, 1764148062));
  Json object = decode_kubernetes_protobuf(envelope("v1", "Namespace", bytes_field(1, meta)));
  EXPECT_EQ(object["metadata"]["creationTimestamp"], "2025-11-26T09:07:42Z");
}

// What `kubectl create deployment web --image=nginx --port=80` sends: Go writes unset strings,
// ints and structs as empty fields, which must not count as set.
std::string create_deployment_body(const std::string& extra_pod_spec_fields = "") {
  std::string labels = map_entry(11, "app", "web");
  std::string empty_meta_tail =
      bytes_field(2, "") + bytes_field(3, "") + varint_field(7, 0) + bytes_field(8, "");
  std::string container = bytes_field(1, "nginx") + bytes_field(2, "nginx") + bytes_field(5, "") +
                          bytes_field(6, bytes_field(1, "") + varint_field(2, 0) +
                                             varint_field(3, 80) + bytes_field(4, "")) +
                          bytes_field(8, "") + bytes_field(13, "") + bytes_field(14, "") +
                          varint_field(16, 0) + bytes_field(20, "");
  std::string pod_spec = bytes_field(2, container) + bytes_field(3, "") + bytes_field(6, "") +
                         bytes_field(8, "") + varint_field(11, 0) + bytes_field(19, "") +
                         extra_pod_spec_fields;
  std::string template_ = bytes_field(1, labels + empty_meta_tail) + bytes_field(2, pod_spec);
  std::string spec = varint_field(1, 1) + bytes_field(2, map_entry(1, "app", "web")) +
                     bytes_field(3, template_) + bytes_field(4, bytes_field(1, "")) +
                     varint_field(5, 0) + varint_field(7, 0);
  std::string raw = bytes_field(1, bytes_field(1, "web") + labels + empty_meta_tail) +
                    bytes_field(2, spec) + bytes_field(3, varint_field(1, 0));
  return envelope("apps/v1", "Deployment", raw);
}

TEST(Protobuf, KubectlCreateDeployment) {
  Json object = decode_kubernetes_protobuf(create_deployment_body());
  EXPECT_EQ(object, Json::parse(R"({"apiVersion":"apps/v1","kind":"Deployment",
      "metadata":{"name":"web","labels":{"app":"web"}},
      "spec":{"replicas":1,"selector":{"matchLabels":{"app":"web"}},
        "template":{"metadata":{"labels":{"app":"web"}},
          "spec":{"containers":[{"name":"nginx","image":"nginx","ports":[{"containerPort":80}]}]}}}})"));
}

TEST(Protobuf, RealKubectlCreateDeploymentBytes) {
  // Captured from kubectl 1.32: create deployment web --image=nginx:1.25 --port=80 --replicas=2
  std::string body = from_hex(
      "6b3873000a150a07617070732f7631120a4465706c6f796d656e7412bd010a1f0a0377656212001a"
      "0022002a003200380042005a0a0a036170701203776562128b010802120c0a0a0a03617070120377"
      "65621a710a1c0a0012001a0022002a003200380042005a0a0a036170701203776562125112330a05"
      "6e67696e78120a6e67696e783a312e32352a00320a0a001000185022002a0042006a007200800100"
      "880100900100a201001a00320042004a0052005800600068008201008a01009a0100c2010022020a"
      "00280038001a0c0800100018002000280038001a002200");
  EXPECT_EQ(decode_kubernetes_protobuf(body),
            Json::parse(R"({"apiVersion":"apps/v1","kind":"Deployment",
      "metadata":{"name":"web","labels":{"app":"web"}},
      "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},
        "template":{"metadata":{"labels":{"app":"web"}},
          "spec":{"containers":[{"name":"nginx","image":"nginx:1.25","ports":[{"containerPort":80}]}]}}}})"));
}

TEST(Protobuf, RealKubectlCreateServiceBytes) {
  // Captured from kubectl 1.32: create service clusterip web --tcp=80:8080
  std::string body = from_hex(
      "6b3873000a0d0a02763112075365727669636512690a1f0a0377656212001a0022002a0032003800"
      "42005a0a0a03617070120377656212420a1b0a0738302d3830383012035443501850220708001090"
      "3f1a002800120a0a0361707012037765621a002209436c757374657249503a00420052005a006000"
      "68001a020a001a002200");
  EXPECT_EQ(decode_kubernetes_protobuf(body), Json::parse(R"({"apiVersion":"v1","kind":"Service",
      "metadata":{"name":"web","labels":{"app":"web"}},
      "spec":{"ports":[{"name":"80-8080","protocol":"TCP","port":80,"targetPort":8080}],
              "selector":{"app":"web"},"type":"ClusterIP"}})"));
}

TEST(Protobuf, RealKubectlCreateIngressBytes) {
  // Captured from kubectl 1.32: create ingress web --class=skiff --annotation=a=b
  //   --rule="a.example.test/*=web:80,tls=site" --rule="/x=other:http" --default-backend=def:8080
  std::string body = from_hex(
      "6b3873000a1f0a146e6574776f726b696e672e6b38732e696f2f76311207496e677265737312af01"
      "0a1b0a0377656212001a0022002a0032003800420062060a0161120162128b010a0e220c0a036465"
      "6612050a0010903f12160a0e612e6578616d706c652e746573741204736974651a300a0e612e6578"
      "616d706c652e74657374121e0a1c0a1a0a012f120d220b0a0377656212040a0010501a0650726566"
      "69781a280a0012240a220a200a022f78121322110a056f7468657212080a046874747010001a0545"
      "786163742205736b6966661a020a001a002200");
  EXPECT_EQ(decode_kubernetes_protobuf(body), Json::parse(R"({
      "apiVersion":"networking.k8s.io/v1","kind":"Ingress",
      "metadata":{"name":"web","annotations":{"a":"b"}},
      "spec":{"ingressClassName":"skiff",
        "defaultBackend":{"service":{"name":"def","port":{"number":8080}}},
        "tls":[{"hosts":["a.example.test"],"secretName":"site"}],
        "rules":[
          {"host":"a.example.test","http":{"paths":[
            {"path":"/","pathType":"Prefix","backend":{"service":{"name":"web","port":{"number":80}}}}]}},
          {"http":{"paths":[
            {"path":"/x","pathType":"Exact","backend":{"service":{"name":"other","port":{"name":"http"}}}}]}}]}})"));
}

TEST(Protobuf, DeploymentFieldsSkiffDoesNotDecodeAre415NotDropped) {
  // PodSpec field 22 (tolerations) with a value.
  std::string body = create_deployment_body(bytes_field(22, bytes_field(1, "k")));
  try {
    decode_kubernetes_protobuf(body);
    FAIL();
  } catch (const ApiError& e) {
    EXPECT_EQ(e.code(), 415);
    EXPECT_NE(std::string(e.what()).find("field 22 of PodSpec"), std::string::npos) << e.what();
  }
}

TEST(Protobuf, UnsupportedKindIs415) {
  std::string body = envelope("batch/v1", "Job", bytes_field(1, bytes_field(1, "d")));
  try {
    decode_kubernetes_protobuf(body);
    FAIL();
  } catch (const ApiError& e) {
    EXPECT_EQ(e.code(), 415);
    EXPECT_STREQ(e.what(),
                 "the protobuf body for batch/v1/Job is not supported by skiff; send JSON "
                 "(application/json) instead");
  }
}

TEST(Protobuf, GarbageIs400) {
  std::string good = envelope("v1", "Namespace", bytes_field(1, bytes_field(1, "demo")));
  EXPECT_EQ(error_code([] { decode_kubernetes_protobuf("{\"kind\":\"Namespace\"}"); }), 400);
  EXPECT_EQ(error_code([] { decode_kubernetes_protobuf(""); }), 400);
  EXPECT_EQ(error_code([] { decode_kubernetes_protobuf(std::string("k8s\0", 4)); }), 400);
  // Every truncation of a valid body is rejected or decodes; it never crashes.
  for (size_t n = 5; n < good.size(); ++n) {
    int code = error_code([&] { decode_kubernetes_protobuf(good.substr(0, n)); });
    EXPECT_TRUE(code == 400 || code == 0) << n;
  }
  EXPECT_EQ(error_code([&] { decode_kubernetes_protobuf(good.substr(0, 12)); }), 400);
  std::string bad_length = std::string("k8s\0", 4) + "\x0a\x7f\x0a";
  EXPECT_EQ(error_code([&] { decode_kubernetes_protobuf(bad_length); }), 400);
}

}  // namespace
}  // namespace skiff::api
