// Validation: real manifests pass, and bad ones fail with the field paths, reasons and messages
// that kubectl prints ("* spec.template.spec.containers[0].image: Required value").
#include <gtest/gtest.h>

#include <algorithm>

#include "pkg/api/defaults.h"
#include "pkg/api/resources.h"
#include "pkg/api/validation.h"
#include "tests/unit/support/api_helpers.h"

namespace skiff::api {
namespace {

using test_support::info;

std::string describe(const std::vector<StatusCause>& causes) {
  std::string out;
  for (const auto& c : causes) out += "* " + c.field + ": " + c.message + " (" + c.reason + ")\n";
  return out;
}

// Validates after defaulting, as the API server does.
std::vector<StatusCause> check(std::string_view api_version, std::string_view kind,
                               const std::string& json, const Json* old = nullptr) {
  Json object = Json::parse(json);
  apply_defaults(info(api_version, kind), object);
  return validate_object(info(api_version, kind), object, old);
}

bool has_cause(const std::vector<StatusCause>& causes, const std::string& field,
               const std::string& reason, const std::string& message_part = "") {
  for (const auto& c : causes) {
    if (c.field == field && c.reason == reason &&
        c.message.find(message_part) != std::string::npos) {
      return true;
    }
  }
  return false;
}

const char* kNginxDeployment = R"({
  "apiVersion": "apps/v1", "kind": "Deployment",
  "metadata": {"name": "nginx-deployment", "labels": {"app": "nginx"},
               "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}\n"}},
  "spec": {
    "replicas": 3,
    "selector": {"matchLabels": {"app": "nginx"}},
    "template": {
      "metadata": {"labels": {"app": "nginx"}, "creationTimestamp": null},
      "spec": {
        "containers": [{
          "name": "nginx", "image": "nginx:1.14.2",
          "ports": [{"containerPort": 80, "name": "http"}],
          "env": [{"name": "MODE", "value": "prod"},
                  {"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}}],
          "resources": {"limits": {"cpu": "500m", "memory": "128Mi"}},
          "readinessProbe": {"httpGet": {"path": "/", "port": 80}},
          "volumeMounts": [{"name": "html", "mountPath": "/usr/share/nginx/html"}]
        }],
        "volumes": [{"name": "html", "emptyDir": {}}]
      }
    }
  }
})";

TEST(Validation, RealNginxDeploymentIsValid) {
  auto causes = check("apps/v1", "Deployment", kNginxDeployment);
  EXPECT_TRUE(causes.empty()) << describe(causes);
}

TEST(Validation, OtherRealManifestsAreValid) {
  const std::vector<std::tuple<std::string, std::string, std::string>> manifests = {
      {"v1", "Service",
       R"({"metadata":{"name":"web"},"spec":{"selector":{"app":"web"},
          "ports":[{"name":"http","port":80,"targetPort":"http"},{"name":"https","port":443}]}})"},
      {"v1", "Service",
       R"({"metadata":{"name":"db"},"spec":{"clusterIP":"None","selector":{"a":"b"}}})"},
      {"v1", "Service",
       R"({"metadata":{"name":"ext"},"spec":{"type":"ExternalName","externalName":"example.com"}})"},
      {"v1", "ConfigMap",
       R"({"metadata":{"name":"cfg"},"data":{"app.properties":"a=1","KEY_NAME":"x"}})"},
      {"v1", "Secret",
       R"({"metadata":{"name":"s"},"data":{"pw":"eA=="},"stringData":{"user":"me"}})"},
      {"v1", "Namespace", R"({"metadata":{"name":"demo"}})"},
      {"v1", "Pod", R"({"metadata":{"generateName":"job-"},"spec":{"restartPolicy":"Never",
          "containers":[{"name":"c","image":"busybox","command":["sh","-c","true"]}]}})"},
      {"networking.k8s.io/v1", "Ingress",
       R"({"metadata":{"name":"ing"},"spec":{"ingressClassName":"nginx","rules":[{"host":"*.example.com",
          "http":{"paths":[{"path":"/","pathType":"Prefix","backend":{"service":{"name":"web","port":{"number":80}}}}]}}]}})"},
      {"apps/v1", "ReplicaSet",
       R"({"metadata":{"name":"web-abc"},"spec":{"selector":{"matchExpressions":[{"key":"app","operator":"In","values":["web"]}]},
          "template":{"metadata":{"labels":{"app":"web","pod-template-hash":"abc"}},"spec":{"containers":[{"name":"c","image":"x"}]}}}})"},
      {"v1", "Node",
       R"({"metadata":{"name":"node-1.example","labels":{"node-role.kubernetes.io/control-plane":""}}})"},
  };
  for (const auto& [version, kind, json] : manifests) {
    auto causes = check(version, kind, json);
    EXPECT_TRUE(causes.empty()) << kind << ": " << describe(causes);
  }
}

TEST(Validation, BadNames) {
  auto long_name = std::string(254, 'a');
  struct Case {
    std::string name;
    std::string message_part;
  };
  const std::vector<Case> cases = {
      {long_name, "must be no more than 253 characters"},
      {"Web",
       "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
       "characters, '-' or '.', and must start and end with an alphanumeric character "
       "(e.g. 'example.com', regex used for validation is "
       "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"},
      {"my_app", "a lowercase RFC 1123 subdomain"},
      {"-web", "a lowercase RFC 1123 subdomain"},
  };
  for (const auto& c : cases) {
    auto causes = check("v1", "ConfigMap", R"({"metadata":{"name":")" + c.name + R"("}})");
    EXPECT_TRUE(has_cause(causes, "metadata.name", "FieldValueInvalid", c.message_part))
        << c.name << "\n"
        << describe(causes);
  }
  auto causes = check("v1", "ConfigMap", R"({"metadata":{"name":"Web"}})");
  ASSERT_EQ(causes.size(), 1u);
  EXPECT_EQ(causes[0].message.rfind("Invalid value: \"Web\": a lowercase RFC 1123", 0), 0u)
      << causes[0].message;

  // Namespaces are DNS labels: dots are not allowed, 63 characters at most.
  EXPECT_TRUE(has_cause(check("v1", "Namespace", R"({"metadata":{"name":"a.b"}})"), "metadata.name",
                        "FieldValueInvalid", "RFC 1123 label"));
  EXPECT_TRUE(has_cause(
      check("v1", "Namespace", R"({"metadata":{"name":")" + std::string(64, 'a') + R"("}})"),
      "metadata.name", "FieldValueInvalid", "must be no more than 63 characters"));
  // Service names must start with a letter.
  EXPECT_TRUE(has_cause(
      check("v1", "Service", R"({"metadata":{"name":"1web"},"spec":{"ports":[{"port":80}]}})"),
      "metadata.name", "FieldValueInvalid", "DNS-1035 label"));
}

TEST(Validation, NameRequired) {
  auto causes = check("v1", "ConfigMap", R"({"metadata":{}})");
  ASSERT_EQ(causes.size(), 1u) << describe(causes);
  EXPECT_EQ(causes[0].field, "metadata.name");
  EXPECT_EQ(causes[0].reason, "FieldValueRequired");
  EXPECT_EQ(causes[0].message, "Required value: name or generateName is required");
}

TEST(Validation, LabelsAndAnnotations) {
  auto causes = check("v1", "ConfigMap",
                      R"({"metadata":{"name":"c","labels":{"bad key":"v","ok":"bad value!",
                          "example.com/fine":"x.y_z","":"v"}}})");
  EXPECT_TRUE(
      has_cause(causes, "metadata.labels", "FieldValueInvalid", "Invalid value: \"bad key\""));
  EXPECT_TRUE(has_cause(causes, "metadata.labels", "FieldValueInvalid",
                        "Invalid value: \"bad value!\": a valid label must be an empty string"));
  EXPECT_TRUE(
      has_cause(causes, "metadata.labels", "FieldValueInvalid", "name part must be non-empty"));
  EXPECT_EQ(causes.size(), 3u) << describe(causes);

  std::string big(300 * 1024, 'x');
  causes =
      check("v1", "ConfigMap", R"({"metadata":{"name":"c","annotations":{"a":")" + big + R"("}}})");
  EXPECT_TRUE(has_cause(causes, "metadata.annotations", "FieldValueTooLong", "262144"))
      << describe(causes);
}

TEST(Validation, PodSpecErrors) {
  auto causes = check("apps/v1", "Deployment", R"({"metadata":{"name":"d"},"spec":{
    "selector":{"matchLabels":{"app":"d"}},
    "template":{"metadata":{"labels":{"app":"d"}},"spec":{
      "containers":[{"name":"c","ports":[{"containerPort":70000,"protocol":"HTTP"}],
                     "volumeMounts":[{"name":"missing","mountPath":"/x"}]},
                    {"name":"c","image":"x"},
                    {"name":"Bad_Name","image":"x","env":[{"name":"A=B"}]}],
      "volumes":[{"name":"v","emptyDir":{}},{"name":"v","emptyDir":{}}]}}}})");
  const std::string c0 = "spec.template.spec.containers[0]";
  EXPECT_TRUE(has_cause(causes, c0 + ".image", "FieldValueRequired")) << describe(causes);
  EXPECT_TRUE(has_cause(causes, c0 + ".ports[0].containerPort", "FieldValueInvalid",
                        "must be between 1 and 65535, inclusive"));
  EXPECT_TRUE(
      has_cause(causes, c0 + ".ports[0].protocol", "FieldValueNotSupported",
                "Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\""));
  EXPECT_TRUE(has_cause(causes, c0 + ".volumeMounts[0].name", "FieldValueNotFound"));
  EXPECT_TRUE(has_cause(causes, "spec.template.spec.containers[1].name", "FieldValueDuplicate",
                        "Duplicate value: \"c\""));
  EXPECT_TRUE(has_cause(causes, "spec.template.spec.containers[2].name", "FieldValueInvalid"));
  EXPECT_TRUE(
      has_cause(causes, "spec.template.spec.containers[2].env[0].name", "FieldValueInvalid"));
  EXPECT_TRUE(has_cause(causes, "spec.template.spec.volumes[1].name", "FieldValueDuplicate"));

  causes = check("v1", "Pod", R"({"metadata":{"name":"p"},"spec":{"containers":[]}})");
  EXPECT_TRUE(has_cause(causes, "spec.containers", "FieldValueRequired")) << describe(causes);
  causes = check("v1", "Pod", R"({"metadata":{"name":"p"},"spec":{"restartPolicy":"Sometimes",
      "containers":[{"name":"c","image":"x"}]}})");
  EXPECT_TRUE(has_cause(causes, "spec.restartPolicy", "FieldValueNotSupported"))
      << describe(causes);
  causes = check("apps/v1", "ReplicaSet",
                 R"({"metadata":{"name":"r"},"spec":{"selector":{"matchLabels":{"a":"b"}},
      "template":{"metadata":{"labels":{"a":"b"}},"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"x"}]}}}})");
  EXPECT_TRUE(has_cause(causes, "spec.template.spec.restartPolicy", "FieldValueNotSupported",
                        "supported values: \"Always\""))
      << describe(causes);
}

TEST(Validation, DeploymentRules) {
  auto causes = check("apps/v1", "Deployment", R"({"metadata":{"name":"d"},"spec":{
    "replicas":-1,"selector":{"matchLabels":{"app":"other"}},"strategy":{"type":"BlueGreen"},
    "template":{"metadata":{"labels":{"app":"d"}},"spec":{"containers":[{"name":"c","image":"x"}]}}}})");
  EXPECT_TRUE(
      has_cause(causes, "spec.replicas", "FieldValueInvalid", "must be greater than or equal to 0"))
      << describe(causes);
  EXPECT_TRUE(has_cause(causes, "spec.template.metadata.labels", "FieldValueInvalid",
                        "`selector` does not match template `labels`"));
  EXPECT_TRUE(has_cause(causes, "spec.strategy.type", "FieldValueNotSupported"));

  causes = check("apps/v1", "Deployment", R"({"metadata":{"name":"d"},"spec":{
    "template":{"metadata":{"labels":{"app":"d"}},"spec":{"containers":[{"name":"c","image":"x"}]}}}})");
  EXPECT_TRUE(has_cause(causes, "spec.selector", "FieldValueRequired")) << describe(causes);

  causes = check("apps/v1", "Deployment", R"({"metadata":{"name":"d"},"spec":{
    "selector":{"matchLabels":{"app":"d"}},"strategy":{"rollingUpdate":{"maxSurge":0,"maxUnavailable":0}},
    "template":{"metadata":{"labels":{"app":"d"}},"spec":{"containers":[{"name":"c","image":"x"}]}}}})");
  EXPECT_TRUE(has_cause(causes, "spec.strategy.rollingUpdate.maxUnavailable", "FieldValueInvalid",
                        "may not be 0 when `maxSurge` is 0"))
      << describe(causes);
}

TEST(Validation, DeploymentSelectorIsImmutable) {
  Json old = Json::parse(kNginxDeployment);
  Json changed = old;
  changed["spec"]["selector"]["matchLabels"]["tier"] = "web";
  changed["spec"]["template"]["metadata"]["labels"]["tier"] = "web";
  auto causes = validate_object(info("apps/v1", "Deployment"), changed, &old);
  EXPECT_TRUE(has_cause(causes, "spec.selector", "FieldValueInvalid", "field is immutable"))
      << describe(causes);
  // Changing the image is fine, as is an update that omits the uid.
  old["metadata"]["uid"] = "u1";
  Json image = old;
  image["metadata"].erase("uid");
  image["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.27";
  causes = validate_object(info("apps/v1", "Deployment"), image, &old);
  EXPECT_TRUE(causes.empty()) << describe(causes);
  Json renamed = old;
  renamed["metadata"]["name"] = "other";
  causes = validate_object(info("apps/v1", "Deployment"), renamed, &old);
  EXPECT_TRUE(has_cause(causes, "metadata.name", "FieldValueInvalid", "field is immutable"));
}

TEST(Validation, ServiceRules) {
  auto causes = check("v1", "Service", R"({"metadata":{"name":"s"},"spec":{"type":"Magic",
      "ports":[{"port":0},{"port":70000,"name":"a"},{"port":81,"name":"a"}]}})");
  EXPECT_TRUE(has_cause(causes, "spec.type", "FieldValueNotSupported")) << describe(causes);
  EXPECT_TRUE(has_cause(causes, "spec.ports[0].port", "FieldValueRequired"));
  EXPECT_TRUE(has_cause(causes, "spec.ports[0].name", "FieldValueRequired"));
  EXPECT_TRUE(has_cause(causes, "spec.ports[1].port", "FieldValueInvalid"));
  EXPECT_TRUE(has_cause(causes, "spec.ports[2].name", "FieldValueDuplicate"));
  causes = check("v1", "Service", R"({"metadata":{"name":"s"},"spec":{"type":"ExternalName"}})");
  EXPECT_TRUE(has_cause(causes, "spec.externalName", "FieldValueRequired")) << describe(causes);
  causes = check("v1", "Service", R"({"metadata":{"name":"s"},"spec":{}})");
  EXPECT_TRUE(has_cause(causes, "spec.ports", "FieldValueRequired")) << describe(causes);

  Json old = Json::parse(
      R"({"metadata":{"name":"s"},"spec":{"clusterIP":"10.43.0.5","ports":[{"port":80}]}})");
  Json moved = old;
  moved["spec"]["clusterIP"] = "10.43.0.6";
  causes = validate_object(info("v1", "Service"), moved, &old);
  EXPECT_TRUE(has_cause(causes, "spec.clusterIP", "FieldValueInvalid", "field is immutable"));
  Json kept = old;
  kept["spec"].erase("clusterIP");
  EXPECT_TRUE(validate_object(info("v1", "Service"), kept, &old).empty());
}

TEST(Validation, ConfigMapAndSecretRules) {
  auto causes =
      check("v1", "ConfigMap", R"({"metadata":{"name":"c"},"data":{"bad key":"x","..":"y"}})");
  EXPECT_TRUE(has_cause(causes, "data[bad key]", "FieldValueInvalid", "a valid config key"))
      << describe(causes);
  EXPECT_TRUE(has_cause(causes, "data[..]", "FieldValueInvalid", "must not be '..'"));
  std::string big(1024 * 1024 + 1, 'x');
  causes = check("v1", "ConfigMap", R"({"metadata":{"name":"c"},"data":{"k":")" + big + R"("}})");
  EXPECT_TRUE(has_cause(causes, "", "FieldValueTooLong", "1048576"))
      << describe(causes).substr(0, 300);

  causes = check("v1", "Secret", R"({"metadata":{"name":"s"},"data":{"k":"not base64!"}})");
  EXPECT_TRUE(has_cause(causes, "data[k]", "FieldValueInvalid")) << describe(causes);
  causes =
      check("v1", "Secret",
            R"({"metadata":{"name":"s"},"type":"kubernetes.io/tls","data":{"tls.crt":"eA=="}})");
  EXPECT_TRUE(has_cause(causes, "data[tls.key]", "FieldValueRequired")) << describe(causes);

  Json old = Json::parse(R"({"metadata":{"name":"c"},"immutable":true,"data":{"a":"1"}})");
  Json changed = old;
  changed["data"]["a"] = "2";
  causes = validate_object(info("v1", "ConfigMap"), changed, &old);
  EXPECT_TRUE(has_cause(causes, "data", "FieldValueForbidden",
                        "field is immutable when `immutable` is set"))
      << describe(causes);
  Json unfrozen = old;
  unfrozen["immutable"] = false;
  causes = validate_object(info("v1", "ConfigMap"), unfrozen, &old);
  EXPECT_TRUE(has_cause(causes, "immutable", "FieldValueForbidden"));
  Json labelled = old;
  labelled["metadata"]["labels"] = {{"a", "b"}};
  EXPECT_TRUE(validate_object(info("v1", "ConfigMap"), labelled, &old).empty());
}

TEST(Validation, SecretStringDataIsFoldedIntoData) {
  Json secret =
      Json::parse(R"({"metadata":{"name":"s"},"data":{"a":"eA=="},"stringData":{"b":"hello"}})");
  apply_defaults(info("v1", "Secret"), secret);
  EXPECT_FALSE(secret.contains("stringData"));
  EXPECT_EQ(secret["data"]["b"], "aGVsbG8=");
  EXPECT_EQ(secret["data"]["a"], "eA==");
}

TEST(Validation, IngressRules) {
  auto causes =
      check("networking.k8s.io/v1", "Ingress", R"({"metadata":{"name":"i"},"spec":{"rules":[
      {"http":{"paths":[{"path":"/","backend":{"service":{"name":"web","port":{"number":80}}}},
                        {"path":"/a","pathType":"Regex","backend":{"service":{"name":"web","port":{"number":80}}}},
                        {"path":"/b","pathType":"Exact"}]}}]}})");
  const std::string p = "spec.rules[0].http.paths";
  EXPECT_TRUE(has_cause(causes, p + "[0].pathType", "FieldValueRequired")) << describe(causes);
  EXPECT_TRUE(has_cause(causes, p + "[1].pathType", "FieldValueNotSupported"));
  EXPECT_TRUE(has_cause(causes, p + "[2].backend", "FieldValueRequired"));
}

TEST(Validation, NameRuleHelpers) {
  EXPECT_TRUE(validate_dns1123_label("my-name").empty());
  EXPECT_FALSE(validate_dns1123_label("my.name").empty());
  EXPECT_TRUE(validate_dns1123_subdomain("example.com").empty());
  EXPECT_FALSE(validate_dns1123_subdomain("example..com").empty());
  EXPECT_TRUE(validate_label_key("app.kubernetes.io/name").empty());
  EXPECT_TRUE(validate_label_key("MyKey_1").empty());
  EXPECT_FALSE(validate_label_key("a/b/c").empty());
  EXPECT_FALSE(validate_label_key(std::string(64, 'a')).empty());
  EXPECT_TRUE(validate_label_value("").empty());
  EXPECT_FALSE(validate_label_value("-a").empty());
}

TEST(Validation, ContainerResources) {
  auto causes =
      check("v1", "Pod", R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"x",
      "resources":{"limits":{"cpu":"1","memory":"1Gi"},"requests":{"cpu":"1500m","memory":"lots"}}}]}})");
  EXPECT_TRUE(has_cause(causes, "spec.containers[0].resources.requests", "FieldValueInvalid",
                        "Invalid value: \"1500m\": must be less than or equal to cpu limit of 1"))
      << describe(causes);
  EXPECT_TRUE(has_cause(causes, "spec.containers[0].resources.requests[memory]",
                        "FieldValueInvalid", "quantities must match"));
  causes =
      check("v1", "Pod", R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"x",
      "resources":{"limits":{"cpu":2,"memory":"128974848","nvidia.com/gpu":"1"},
                   "requests":{"cpu":"0.5","memory":"128e6","ephemeral-storage":"1Gi"}}}]}})");
  EXPECT_TRUE(causes.empty()) << describe(causes);
}

TEST(Validation, PodUpdatesMayOnlyChangeImagesAndFriends) {
  Json old = Json::parse(
      R"({"metadata":{"name":"p","uid":"u"},"spec":{"containers":[{"name":"c","image":"x:1",
      "env":[{"name":"A","value":"1"}]}],"tolerations":[{"key":"k","operator":"Exists"}]}})");
  apply_defaults(info("v1", "Pod"), old);
  Json image = old;
  image["spec"]["containers"][0]["image"] = "x:2";
  image["metadata"]["labels"] = {{"a", "b"}};
  image["spec"]["nodeName"] = "node-1";  // binding
  image["status"] = {{"phase", "Running"}};
  auto causes = validate_object(info("v1", "Pod"), image, &old);
  EXPECT_TRUE(causes.empty()) << describe(causes);
  Json env = old;
  env["spec"]["containers"][0]["env"][0]["value"] = "2";
  causes = validate_object(info("v1", "Pod"), env, &old);
  EXPECT_TRUE(has_cause(causes, "spec", "FieldValueForbidden", "pod updates may not change fields"))
      << describe(causes);
  Json dropped = old;
  dropped["spec"]["tolerations"] = Json::array();
  causes = validate_object(info("v1", "Pod"), dropped, &old);
  EXPECT_TRUE(has_cause(causes, "spec.tolerations", "FieldValueForbidden")) << describe(causes);
  Json bound = image;
  Json moved = image;
  moved["spec"]["nodeName"] = "node-2";
  causes = validate_object(info("v1", "Pod"), moved, &bound);
  EXPECT_TRUE(has_cause(causes, "spec", "FieldValueForbidden")) << describe(causes);
}

TEST(UnknownFields, RealManifestsHaveNone) {
  EXPECT_TRUE(unknown_fields(info("apps/v1", "Deployment"), Json::parse(kNginxDeployment)).empty());
  Json full_pod = Json::parse(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p",
    "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"r","uid":"u","controller":true,
                        "blockOwnerDeletion":true}],"finalizers":["x/y"],"managedFields":[{"manager":"kubectl"}],
    "deletionTimestamp":null,"creationTimestamp":null},
    "spec":{"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[
        {"matchExpressions":[{"key":"k","operator":"In","values":["v"]}]}]}},
      "podAntiAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[{"weight":1,"podAffinityTerm":{
        "labelSelector":{"matchLabels":{"a":"b"}},"topologyKey":"kubernetes.io/hostname"}}]}},
      "tolerations":[{"key":"k","operator":"Exists","effect":"NoSchedule","tolerationSeconds":5}],
      "securityContext":{"runAsUser":1000,"fsGroup":2000,"seccompProfile":{"type":"RuntimeDefault"}},
      "initContainers":[{"name":"init","image":"busybox","command":["true"],"restartPolicy":"Always"}],
      "containers":[{"name":"c","image":"x","args":["a"],"workingDir":"/","stdin":true,"tty":true,
        "env":[{"name":"A","valueFrom":{"secretKeyRef":{"name":"s","key":"k","optional":true}}}],
        "envFrom":[{"configMapRef":{"name":"cm"},"prefix":"P_"}],
        "ports":[{"containerPort":80,"hostPort":8080,"hostIP":"0.0.0.0","name":"http","protocol":"TCP"}],
        "resources":{"limits":{"nvidia.com/gpu":"1"},"requests":{"cpu":"100m"}},
        "livenessProbe":{"grpc":{"port":9000},"initialDelaySeconds":3},
        "readinessProbe":{"exec":{"command":["cat","/tmp/ready"]}},
        "startupProbe":{"tcpSocket":{"port":80},"failureThreshold":30},
        "lifecycle":{"preStop":{"sleep":{"seconds":5}},"postStart":{"httpGet":{"path":"/","port":80,
                     "httpHeaders":[{"name":"X","value":"y"}]}}},
        "securityContext":{"capabilities":{"add":["NET_ADMIN"],"drop":["ALL"]},"privileged":false,
                           "readOnlyRootFilesystem":true},
        "volumeMounts":[{"name":"v","mountPath":"/v","readOnly":true,"subPath":"x"}]}],
      "volumes":[{"name":"v","configMap":{"name":"cm","items":[{"key":"a","path":"a"}],"defaultMode":420}},
                 {"name":"w","projected":{"sources":[{"serviceAccountToken":{"path":"t"}}]}},
                 {"name":"h","hostPath":{"path":"/data","type":"DirectoryOrCreate"}}],
      "topologySpreadConstraints":[{"maxSkew":1,"topologyKey":"zone","whenUnsatisfiable":"DoNotSchedule",
                                    "labelSelector":{"matchLabels":{"a":"b"}}}],
      "hostAliases":[{"ip":"1.2.3.4","hostnames":["a"]}],"dnsConfig":{"options":[{"name":"ndots","value":"2"}]}},
    "status":{"phase":"Running","anything":{"goes":1}}})");
  auto unknown = unknown_fields(info("v1", "Pod"), full_pod);
  EXPECT_TRUE(unknown.empty()) << ::testing::PrintToString(unknown);
  Json svc = Json::parse(
      R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},"spec":{"type":"NodePort",
      "ports":[{"port":80,"targetPort":"http","nodePort":30080,"appProtocol":"http"}],"selector":{"a":"b"},
      "externalTrafficPolicy":"Local","sessionAffinityConfig":{"clientIP":{"timeoutSeconds":10}}},"status":{"loadBalancer":{}}})");
  EXPECT_TRUE(unknown_fields(info("v1", "Service"), svc).empty());
  Json ing = Json::parse(
      R"({"spec":{"tls":[{"hosts":["a"],"secretName":"s"}],"rules":[{"host":"a","http":{"paths":[
      {"path":"/","pathType":"Prefix","backend":{"service":{"name":"web","port":{"name":"http"}}}}]}}]}})");
  EXPECT_TRUE(unknown_fields(info("networking.k8s.io/v1", "Ingress"), ing).empty());
}

TEST(UnknownFields, ReportsTyposWithPaths) {
  Json d = Json::parse(kNginxDeployment);
  d["spec"]["template"]["spec"]["containers"][0]["imagee"] = "x";
  d["spec"]["replica"] = 3;
  d["metadata"]["lables"] = Json::object();
  d["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerport"] = 80;
  auto unknown = unknown_fields(info("apps/v1", "Deployment"), d);
  std::sort(unknown.begin(), unknown.end());
  EXPECT_EQ(unknown,
            (std::vector<std::string>{"metadata.lables", "spec.replica",
                                      "spec.template.spec.containers[0].imagee",
                                      "spec.template.spec.containers[0].ports[0].containerport"}));
  Json cm = Json::parse(R"({"metadata":{"name":"c"},"data":{"any key":"v"},"spec":{}})");
  EXPECT_EQ(unknown_fields(info("v1", "ConfigMap"), cm), std::vector<std::string>{"spec"});
}

}  // namespace
}  // namespace skiff::api
