// Defaulting: what a user sees after `kubectl get -o yaml` of an object they created with few
// fields, and that defaulting twice equals defaulting once.
#include <gtest/gtest.h>

#include "pkg/api/defaults.h"
#include "pkg/api/resources.h"

namespace skiff::api {
namespace {

Json defaulted(std::string_view api_version, std::string_view kind, const char* json) {
  const ResourceInfo* info = find_by_kind(api_version, kind);
  EXPECT_NE(info, nullptr) << kind;
  Json object = Json::parse(json);
  apply_defaults(*info, object);
  Json again = object;
  apply_defaults(*info, again);
  EXPECT_EQ(again, object) << "defaulting " << kind << " is not idempotent";
  return object;
}

TEST(Defaults, Pod) {
  Json pod = defaulted("v1", "Pod", R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
    "spec":{"containers":[{"name":"c","image":"nginx","ports":[{"containerPort":80}]},
                          {"name":"d","image":"nginx:1.25"},
                          {"name":"e","image":"registry:5000/app"},
                          {"name":"f","image":"busybox:latest","imagePullPolicy":"Never"},
                          {"name":"g","image":"app@sha256:abc"}]}})");
  const Json& spec = pod["spec"];
  EXPECT_EQ(spec["restartPolicy"], "Always");
  EXPECT_EQ(spec["terminationGracePeriodSeconds"], 30);
  EXPECT_EQ(spec["dnsPolicy"], "ClusterFirst");
  EXPECT_EQ(spec["schedulerName"], "default-scheduler");
  EXPECT_EQ(spec["securityContext"], Json::object());
  EXPECT_EQ(spec["enableServiceLinks"], true);
  EXPECT_EQ(spec["serviceAccountName"], "default");
  EXPECT_EQ(spec["priority"], 0);
  const Json& c = spec["containers"][0];
  EXPECT_EQ(c["terminationMessagePath"], "/dev/termination-log");
  EXPECT_EQ(c["terminationMessagePolicy"], "File");
  EXPECT_EQ(c["imagePullPolicy"], "Always");
  EXPECT_EQ(c["resources"], Json::object());
  EXPECT_EQ(c["ports"][0]["protocol"], "TCP");
  EXPECT_EQ(spec["containers"][1]["imagePullPolicy"], "IfNotPresent");
  EXPECT_EQ(spec["containers"][2]["imagePullPolicy"], "Always");  // port is not a tag
  EXPECT_EQ(spec["containers"][3]["imagePullPolicy"], "Never");   // never overridden
  EXPECT_EQ(spec["containers"][4]["imagePullPolicy"], "IfNotPresent");
  Json expected_tolerations = Json::parse(R"([
    {"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":300},
    {"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute","tolerationSeconds":300}])");
  EXPECT_EQ(spec["tolerations"], expected_tolerations);
  EXPECT_EQ(pod["status"]["phase"], "Pending");
}

TEST(Defaults, PodKeepsUserValuesAndTolerations) {
  Json pod = defaulted("v1", "Pod", R"({"metadata":{"name":"p"},"spec":{
    "restartPolicy":"Never","terminationGracePeriodSeconds":0,"serviceAccountName":"builder",
    "tolerations":[{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute"}],
    "containers":[{"name":"c","image":"x","resources":{"limits":{"cpu":"1"}},
      "livenessProbe":{"httpGet":{"path":"/","port":80}}}]}})");
  const Json& spec = pod["spec"];
  EXPECT_EQ(spec["restartPolicy"], "Never");
  EXPECT_EQ(spec["terminationGracePeriodSeconds"], 0);
  EXPECT_EQ(spec["serviceAccountName"], "builder");
  ASSERT_EQ(spec["tolerations"].size(), 2u);  // only unreachable added
  EXPECT_EQ(spec["tolerations"][1]["key"], "node.kubernetes.io/unreachable");
  EXPECT_EQ(spec["containers"][0]["resources"]["requests"]["cpu"], "1");
  const Json& probe = spec["containers"][0]["livenessProbe"];
  EXPECT_EQ(probe["periodSeconds"], 10);
  EXPECT_EQ(probe["timeoutSeconds"], 1);
  EXPECT_EQ(probe["failureThreshold"], 3);
  EXPECT_EQ(probe["successThreshold"], 1);
  EXPECT_EQ(probe["httpGet"]["scheme"], "HTTP");
}

TEST(Defaults, HostNetworkPodPortsBecomeHostPorts) {
  Json pod = defaulted("v1", "Pod", R"({"spec":{"hostNetwork":true,
      "containers":[{"name":"c","image":"x","ports":[{"containerPort":9100}]}]}})");
  EXPECT_EQ(pod["spec"]["containers"][0]["ports"][0]["hostPort"], 9100);
}

TEST(Defaults, Deployment) {
  Json d = defaulted("apps/v1", "Deployment", R"({"metadata":{"name":"web"},"spec":{
    "selector":{"matchLabels":{"app":"web"}},
    "template":{"metadata":{"labels":{"app":"web"}},
                "spec":{"containers":[{"name":"nginx","image":"nginx:1.25"}]}}}})");
  const Json& spec = d["spec"];
  EXPECT_EQ(spec["replicas"], 1);
  EXPECT_EQ(spec["strategy"], Json::parse(R"({"type":"RollingUpdate",
      "rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"}})"));
  EXPECT_EQ(spec["revisionHistoryLimit"], 10);
  EXPECT_EQ(spec["progressDeadlineSeconds"], 600);
  const Json& pod_spec = spec["template"]["spec"];
  EXPECT_EQ(pod_spec["restartPolicy"], "Always");
  EXPECT_EQ(pod_spec["dnsPolicy"], "ClusterFirst");
  EXPECT_EQ(pod_spec["containers"][0]["imagePullPolicy"], "IfNotPresent");
  EXPECT_EQ(pod_spec["containers"][0]["terminationMessagePath"], "/dev/termination-log");
  // Admission-only pod defaults do not apply to templates.
  EXPECT_FALSE(pod_spec.contains("tolerations"));
  EXPECT_FALSE(pod_spec.contains("serviceAccountName"));
  EXPECT_FALSE(pod_spec.contains("enableServiceLinks"));
}

TEST(Defaults, DeploymentRecreateAndExplicitReplicas) {
  Json d = defaulted("apps/v1", "Deployment",
                     R"({"spec":{"replicas":0,"strategy":{"type":"Recreate"}}})");
  EXPECT_EQ(d["spec"]["replicas"], 0);
  EXPECT_EQ(d["spec"]["strategy"], Json::parse(R"({"type":"Recreate"})"));
}

TEST(Defaults, ReplicaSet) {
  Json rs =
      defaulted("apps/v1", "ReplicaSet",
                R"({"spec":{"template":{"spec":{"containers":[{"name":"c","image":"x"}]}}}})");
  EXPECT_EQ(rs["spec"]["replicas"], 1);
  EXPECT_EQ(rs["spec"]["template"]["spec"]["schedulerName"], "default-scheduler");
}

TEST(Defaults, ServiceAsKubectlExposeSendsIt) {
  Json svc = defaulted("v1", "Service", R"({"apiVersion":"v1","kind":"Service",
    "metadata":{"creationTimestamp":null,"labels":{"app":"web"},"name":"web"},
    "spec":{"ports":[{"port":80,"protocol":"TCP","targetPort":8080},{"port":443,"name":"https"}],
            "selector":{"app":"web"}},"status":{"loadBalancer":{}}})");
  const Json& spec = svc["spec"];
  EXPECT_EQ(spec["type"], "ClusterIP");
  EXPECT_EQ(spec["sessionAffinity"], "None");
  EXPECT_EQ(spec["ports"][0]["targetPort"], 8080);
  EXPECT_EQ(spec["ports"][1]["targetPort"], 443);
  EXPECT_EQ(spec["ports"][1]["protocol"], "TCP");
  EXPECT_EQ(spec["ipFamilies"], Json::array({"IPv4"}));
  EXPECT_EQ(spec["ipFamilyPolicy"], "SingleStack");
  EXPECT_EQ(spec["internalTrafficPolicy"], "Cluster");
  EXPECT_FALSE(spec.contains("externalTrafficPolicy"));

  Json node_port =
      defaulted("v1", "Service", R"({"spec":{"type":"NodePort","ports":[{"port":80}]}})");
  EXPECT_EQ(node_port["spec"]["externalTrafficPolicy"], "Cluster");
  Json external = defaulted("v1", "Service",
                            R"({"spec":{"type":"ExternalName","externalName":"example.com"}})");
  EXPECT_FALSE(external["spec"].contains("ipFamilies"));
}

TEST(Defaults, SecretNamespaceAndOthers) {
  EXPECT_EQ(defaulted("v1", "Secret", R"({"metadata":{"name":"s"}})")["type"], "Opaque");
  EXPECT_EQ(defaulted("v1", "Secret", R"({"type":""})")["type"], "Opaque");
  EXPECT_EQ(defaulted("v1", "Secret", R"({"type":"kubernetes.io/tls"})")["type"],
            "kubernetes.io/tls");
  Json ns = defaulted("v1", "Namespace", R"({"metadata":{"name":"demo"}})");
  EXPECT_EQ(ns["spec"]["finalizers"], Json::array({"kubernetes"}));
  EXPECT_EQ(ns["status"]["phase"], "Active");
  EXPECT_EQ(ns["metadata"]["labels"]["kubernetes.io/metadata.name"], "demo");
  Json cm = defaulted("v1", "ConfigMap", R"({"metadata":{"name":"c"},"data":{"a":"1"}})");
  EXPECT_EQ(cm, Json::parse(R"({"metadata":{"name":"c"},"data":{"a":"1"}})"));
  Json ing = defaulted("networking.k8s.io/v1", "Ingress", R"({"spec":{"rules":[]}})");
  EXPECT_EQ(ing, Json::parse(R"({"spec":{"rules":[]}})"));
}

TEST(Defaults, MalformedInputIsLeftForValidation) {
  Json d = defaulted("apps/v1", "Deployment", R"({"spec":"oops"})");
  EXPECT_EQ(d["spec"], "oops");
  Json p = defaulted("v1", "Pod", R"({"spec":{"containers":"x"}})");
  EXPECT_EQ(p["spec"]["containers"], "x");
}

}  // namespace
}  // namespace skiff::api
