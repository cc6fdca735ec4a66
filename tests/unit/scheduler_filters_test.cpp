// The scheduler's filters, one table per kube-scheduler plugin, with the reasons users read in
// FailedScheduling events.
#include <gtest/gtest.h>

#include "server/scheduler/filters.h"
#include "server/scheduler/taints.h"

namespace skiff::scheduler {
namespace {

Json ready_node(const std::string& name, Json extra_spec = Json::object()) {
  Json node = {{"metadata", {{"name", name}, {"labels", {{"kubernetes.io/hostname", name}}}}},
               {"spec", extra_spec},
               {"status",
                {{"allocatable", {{"cpu", "2"}, {"memory", "4Gi"}, {"pods", "110"}}},
                 {"conditions", {{{"type", "Ready"}, {"status", "True"}}}}}}};
  return node;
}

Json pod_with_spec(Json spec) {
  if (!spec.contains("containers")) spec["containers"] = {{{"name", "c"}, {"image", "nginx"}}};
  return {{"metadata", {{"name", "p"}, {"namespace", "default"}}}, {"spec", spec}};
}

std::string reasons(const FilterResult& r) {
  std::string out;
  for (const auto& reason : r.reasons) out += (out.empty() ? "" : "|") + reason;
  return out;
}

// ---- tolerations ----------------------------------------------------------------------------

struct TolerationCase {
  const char* name;
  Json toleration;
  Taint taint;
  bool tolerated;
};

TEST(Tolerations, MatchLikeKubernetes) {
  const Taint dedicated{"dedicated", "gpu", "NoSchedule"};
  const std::vector<TolerationCase> cases = {
      {"equal same value",
       {{"key", "dedicated"}, {"operator", "Equal"}, {"value", "gpu"}},
       dedicated,
       true},
      {"default operator is Equal", {{"key", "dedicated"}, {"value", "gpu"}}, dedicated, true},
      {"equal other value", {{"key", "dedicated"}, {"value", "cpu"}}, dedicated, false},
      {"exists ignores value", {{"key", "dedicated"}, {"operator", "Exists"}}, dedicated, true},
      {"other key", {{"key", "zone"}, {"operator", "Exists"}}, dedicated, false},
      {"empty key + Exists tolerates everything", {{"operator", "Exists"}}, dedicated, true},
      {"empty key + Equal tolerates nothing", {{"operator", "Equal"}}, dedicated, false},
      {"effect must match",
       {{"key", "dedicated"}, {"operator", "Exists"}, {"effect", "NoExecute"}},
       dedicated,
       false},
      {"matching effect",
       {{"key", "dedicated"}, {"operator", "Exists"}, {"effect", "NoSchedule"}},
       dedicated,
       true},
      {"empty value equals empty taint value",
       {{"key", "node-role.kubernetes.io/control-plane"}, {"operator", "Equal"}, {"value", ""}},
       {"node-role.kubernetes.io/control-plane", "", "NoSchedule"},
       true},
  };
  for (const auto& c : cases) EXPECT_EQ(tolerates(c.toleration, c.taint), c.tolerated) << c.name;
}

TEST(Tolerations, NotReadyAndUnknownNodesGetTheLifecycleTaint) {
  Json not_ready = ready_node("n");
  not_ready["status"]["conditions"][0]["status"] = "False";
  auto taints = effective_taints(not_ready);
  ASSERT_EQ(taints.size(), 1u);
  EXPECT_EQ(taints[0].key, "node.kubernetes.io/not-ready");
  EXPECT_EQ(taints[0].effect, "NoSchedule");

  Json unknown = ready_node("n");
  unknown["status"]["conditions"][0]["status"] = "Unknown";
  EXPECT_EQ(effective_taints(unknown).at(0).key, "node.kubernetes.io/unreachable");

  Json no_conditions = ready_node("n");
  no_conditions["status"].erase("conditions");
  EXPECT_EQ(effective_taints(no_conditions).at(0).key, "node.kubernetes.io/not-ready");

  // Already tainted by the lifecycle controller: not doubled.
  Json tainted = not_ready;
  tainted["spec"]["taints"] = {{{"key", "node.kubernetes.io/not-ready"}, {"effect", "NoSchedule"}},
                               {{"key", "node.kubernetes.io/not-ready"}, {"effect", "NoExecute"}}};
  EXPECT_EQ(effective_taints(tainted).size(), 2u);
  EXPECT_TRUE(effective_taints(ready_node("n")).empty());
}

// ---- unschedulable and taints ---------------------------------------------------------------

struct NodeFilterCase {
  const char* name;
  Json pod;
  Json node;
  std::string reasons;  // "" = passes
  bool unresolvable;
};

void run_cases(FilterResult (*filter)(const PodInfo&, const NodeSnapshot&),
               const std::vector<NodeFilterCase>& cases) {
  for (const auto& c : cases) {
    const FilterResult r = filter(c.pod, make_snapshot(c.node));
    EXPECT_EQ(reasons(r), c.reasons) << c.name;
    if (!c.reasons.empty()) {
      EXPECT_EQ(r.unresolvable, c.unresolvable) << c.name;
    }
  }
}

TEST(FilterNodeUnschedulable, CordonedNodesRefusePodsUnlessTolerated) {
  const Json plain = pod_with_spec({});
  const Json tolerant = pod_with_spec({{"tolerations",
                                        {{{"key", "node.kubernetes.io/unschedulable"},
                                          {"operator", "Exists"},
                                          {"effect", "NoSchedule"}}}}});
  run_cases(filter_node_unschedulable,
            {
                {"schedulable", plain, ready_node("a"), "", false},
                {"explicit false", plain, ready_node("a", {{"unschedulable", false}}), "", false},
                {"cordoned", plain, ready_node("a", {{"unschedulable", true}}),
                 "node(s) were unschedulable", true},
                {"cordoned but tolerated", tolerant, ready_node("a", {{"unschedulable", true}}), "",
                 false},
            });
}

TEST(FilterTaintToleration, NoScheduleAndNoExecuteMustBeTolerated) {
  const Json control_plane = ready_node(
      "cp",
      {{"taints", {{{"key", "node-role.kubernetes.io/control-plane"}, {"effect", "NoSchedule"}}}}});
  const Json gpu = ready_node(
      "g", {{"taints", {{{"key", "dedicated"}, {"value", "gpu"}, {"effect", "NoExecute"}}}}});
  const Json soft = ready_node(
      "s", {{"taints", {{{"key", "spot"}, {"value", "yes"}, {"effect", "PreferNoSchedule"}}}}});
  Json not_ready = ready_node("nr");
  not_ready["status"]["conditions"][0]["status"] = "False";
  Json unknown = ready_node("u");
  unknown["status"]["conditions"][0]["status"] = "Unknown";

  const Json plain = pod_with_spec({});
  const Json tolerates_gpu = pod_with_spec(
      {{"tolerations", {{{"key", "dedicated"}, {"operator", "Equal"}, {"value", "gpu"}}}}});
  const Json wrong_effect =
      pod_with_spec({{"tolerations",
                      {{{"key", "dedicated"}, {"operator", "Exists"}, {"effect", "NoSchedule"}}}}});
  const Json tolerates_all = pod_with_spec({{"tolerations", {{{"operator", "Exists"}}}}});
  // The default tolerations the API adds are NoExecute only: they do not admit a pod to a node
  // that is not ready for new pods.
  const Json default_tolerations = pod_with_spec({{"tolerations",
                                                   {{{"key", "node.kubernetes.io/not-ready"},
                                                     {"operator", "Exists"},
                                                     {"effect", "NoExecute"},
                                                     {"tolerationSeconds", 300}},
                                                    {{"key", "node.kubernetes.io/unreachable"},
                                                     {"operator", "Exists"},
                                                     {"effect", "NoExecute"},
                                                     {"tolerationSeconds", 300}}}}});

  run_cases(filter_taint_toleration,
            {
                {"untainted", plain, ready_node("a"), "", false},
                {"control plane", plain, control_plane,
                 "node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }", true},
                {"NoExecute untolerated", plain, gpu,
                 "node(s) had untolerated taint {dedicated: gpu}", true},
                {"NoExecute tolerated", tolerates_gpu, gpu, "", false},
                {"toleration for another effect", wrong_effect, gpu,
                 "node(s) had untolerated taint {dedicated: gpu}", true},
                {"PreferNoSchedule is not a filter", plain, soft, "", false},
                {"tolerate everything", tolerates_all, control_plane, "", false},
                {"not ready", default_tolerations, not_ready,
                 "node(s) had untolerated taint {node.kubernetes.io/not-ready: }", true},
                {"unreachable", default_tolerations, unknown,
                 "node(s) had untolerated taint {node.kubernetes.io/unreachable: }", true},
                {"not ready, tolerate everything", tolerates_all, not_ready, "", false},
            });
}

// ---- node affinity ---------------------------------------------------------------------------

Json labelled_node(Json labels) {
  Json node = ready_node("node-1");
  node["metadata"]["labels"] = labels;
  return node;
}

Json required_affinity(Json terms) {
  return pod_with_spec(
      {{"affinity",
        {{"nodeAffinity",
          {{"requiredDuringSchedulingIgnoredDuringExecution", {{"nodeSelectorTerms", terms}}}}}}}});
}

Json expr(const std::string& key, const std::string& op, std::vector<std::string> values = {}) {
  Json e = {{"key", key}, {"operator", op}};
  if (!values.empty()) e["values"] = values;
  return e;
}

TEST(FilterNodeAffinity, NodeSelectorAndRequiredTerms) {
  const std::string no = "node(s) didn't match Pod's node affinity/selector";
  const Json ssd = labelled_node({{"disk", "ssd"}, {"cores", "8"}, {"zone", "a"}});
  auto terms_pod = [](Json expressions) {
    return required_affinity({{{"matchExpressions", expressions}}});
  };
  run_cases(
      filter_node_affinity,
      {
          {"no constraints", pod_with_spec({}), ssd, "", false},
          {"nodeSelector matches", pod_with_spec({{"nodeSelector", {{"disk", "ssd"}}}}), ssd, "",
           false},
          {"nodeSelector value differs", pod_with_spec({{"nodeSelector", {{"disk", "hdd"}}}}), ssd,
           no, true},
          {"nodeSelector label missing",
           pod_with_spec({{"nodeSelector", {{"disk", "ssd"}, {"gpu", "yes"}}}}), ssd, no, true},
          {"In", terms_pod({expr("disk", "In", {"hdd", "ssd"})}), ssd, "", false},
          {"In miss", terms_pod({expr("disk", "In", {"hdd"})}), ssd, no, true},
          {"NotIn", terms_pod({expr("disk", "NotIn", {"hdd"})}), ssd, "", false},
          {"NotIn hit", terms_pod({expr("disk", "NotIn", {"ssd"})}), ssd, no, true},
          {"NotIn on a missing label", terms_pod({expr("gpu", "NotIn", {"yes"})}), ssd, "", false},
          {"Exists", terms_pod({expr("zone", "Exists")}), ssd, "", false},
          {"Exists miss", terms_pod({expr("gpu", "Exists")}), ssd, no, true},
          {"DoesNotExist", terms_pod({expr("gpu", "DoesNotExist")}), ssd, "", false},
          {"DoesNotExist miss", terms_pod({expr("zone", "DoesNotExist")}), ssd, no, true},
          {"Gt", terms_pod({expr("cores", "Gt", {"4"})}), ssd, "", false},
          {"Gt equal is not greater", terms_pod({expr("cores", "Gt", {"8"})}), ssd, no, true},
          {"Lt", terms_pod({expr("cores", "Lt", {"16"})}), ssd, "", false},
          {"Gt on a non-number", terms_pod({expr("disk", "Gt", {"1"})}), ssd, no, true},
          {"expressions are ANDed",
           terms_pod({expr("disk", "In", {"ssd"}), expr("zone", "In", {"b"})}), ssd, no, true},
          {"terms are ORed",
           required_affinity({{{"matchExpressions", {expr("zone", "In", {"b"})}}},
                              {{"matchExpressions", {expr("zone", "In", {"a"})}}}}),
           ssd, "", false},
          {"empty term matches nothing", required_affinity({Json::object()}), ssd, no, true},
          {"matchFields metadata.name",
           required_affinity({{{"matchFields", {expr("metadata.name", "In", {"node-1"})}}}}), ssd,
           "", false},
          {"matchFields other name",
           required_affinity({{{"matchFields", {expr("metadata.name", "In", {"node-2"})}}}}), ssd,
           no, true},
          {"selector and affinity both apply",
           [&] {
             Json p = terms_pod({expr("zone", "In", {"a"})});
             p["spec"]["nodeSelector"] = {{"disk", "hdd"}};
             return p;
           }(),
           ssd, no, true},
      });
}

// ---- host ports -----------------------------------------------------------------------------

Json pod_with_ports(Json ports) {
  return pod_with_spec({{"containers", {{{"name", "c"}, {"image", "x"}, {"ports", ports}}}}});
}

TEST(FilterNodePorts, HostPortConflicts) {
  const std::string busy = "node(s) didn't have free ports for the requested pod ports";
  const Json existing = [] {
    Json p = pod_with_ports({{{"containerPort", 80}, {"hostPort", 8080}},
                             {{"containerPort", 53}, {"hostPort", 53}, {"protocol", "UDP"}},
                             {{"containerPort", 9}, {"hostPort", 9000}, {"hostIP", "10.0.0.1"}}});
    p["spec"]["nodeName"] = "a";
    return p;
  }();
  const NodeSnapshot node = make_snapshot(ready_node("a"), {existing});
  struct Case {
    const char* name;
    Json ports;
    bool conflict;
  };
  const std::vector<Case> cases = {
      {"no host ports", {{{"containerPort", 8080}}}, false},
      {"same TCP port", {{{"containerPort", 1}, {"hostPort", 8080}}}, true},
      {"same port, other protocol",
       {{{"containerPort", 1}, {"hostPort", 8080}, {"protocol", "UDP"}}},
       false},
      {"same UDP port", {{{"containerPort", 1}, {"hostPort", 53}, {"protocol", "UDP"}}}, true},
      {"other port", {{{"containerPort", 1}, {"hostPort", 8081}}}, false},
      {"specific IP vs a used wildcard",
       {{{"containerPort", 1}, {"hostPort", 8080}, {"hostIP", "10.0.0.2"}}},
       true},
      {"wildcard vs a used specific IP", {{{"containerPort", 1}, {"hostPort", 9000}}}, true},
      {"other specific IP",
       {{{"containerPort", 1}, {"hostPort", 9000}, {"hostIP", "10.0.0.2"}}},
       false},
  };
  for (const auto& c : cases) {
    const FilterResult r = filter_node_ports(pod_with_ports(c.ports), node);
    EXPECT_EQ(reasons(r), c.conflict ? busy : "") << c.name;
    EXPECT_FALSE(r.unresolvable) << c.name;
  }
}

// ---- resources -------------------------------------------------------------------------------

Json container(const std::string& name, Json requests, Json limits = nullptr) {
  Json c = {{"name", name}, {"image", "x"}, {"resources", Json::object()}};
  if (!requests.is_null()) c["resources"]["requests"] = requests;
  if (!limits.is_null()) c["resources"]["limits"] = limits;
  return c;
}

Json pod_requesting(Json containers, Json init = nullptr) {
  Json spec = {{"containers", containers}};
  if (!init.is_null()) spec["initContainers"] = init;
  return pod_with_spec(spec);
}

TEST(PodRequests, SumsContainersAndTakesTheLargestInitContainer) {
  const Json pod = pod_requesting(
      {container("a", {{"cpu", "250m"}, {"memory", "64Mi"}}), container("b", {{"cpu", "250m"}})},
      {container("init", {{"cpu", "1"}, {"memory", "32Mi"}})});
  const ResourceAmounts r = pod_requests(pod);
  EXPECT_EQ(r.at("cpu"), 1000);                 // init container wins
  EXPECT_EQ(r.at("memory"), 64 * 1024 * 1024);  // containers win

  const Json limits_only = pod_requesting({container("a", nullptr, {{"cpu", "500m"}})});
  EXPECT_EQ(pod_requests(limits_only).at("cpu"), 500);

  Json overhead = pod_requesting({container("a", {{"cpu", "100m"}})});
  overhead["spec"]["overhead"] = {{"cpu", "50m"}};
  EXPECT_EQ(pod_requests(overhead).at("cpu"), 150);

  const ResourceAmounts nonzero = pod_nonzero_requests(pod_requesting({container("a", nullptr)}));
  EXPECT_EQ(nonzero.at("cpu"), 100);
  EXPECT_EQ(nonzero.at("memory"), 200 * 1024 * 1024);
}

TEST(FilterNodeResourcesFit, RequestsAgainstAllocatableMinusRequested) {
  // Node: 2 cpu, 4Gi, 3 pods; already running 1.5 cpu and 3Gi in 2 pods.
  Json node = ready_node("a");
  node["status"]["allocatable"] = {{"cpu", "2"}, {"memory", "4Gi"}, {"pods", "3"}};
  auto bound = [](Json pod) {
    pod["spec"]["nodeName"] = "a";
    return pod;
  };
  const std::vector<Json> running = {
      bound(pod_requesting({container("x", {{"cpu", "1"}, {"memory", "2Gi"}})})),
      bound(pod_requesting({container("y", {{"cpu", "500m"}, {"memory", "1Gi"}})})),
  };
  Json finished = bound(pod_requesting({container("z", {{"cpu", "2"}})}));
  finished["status"]["phase"] = "Succeeded";  // terminal pods release their resources
  std::vector<Json> with_finished = running;
  with_finished.push_back(finished);
  const NodeSnapshot snapshot = make_snapshot(node, with_finished);
  EXPECT_EQ(snapshot.pod_count, 2u);
  EXPECT_EQ(snapshot.requested_of("cpu"), 1500);

  struct Case {
    const char* name;
    Json pod;
    std::string reasons;
    bool unresolvable;
  };
  const std::vector<Case> cases = {
      {"fits exactly", pod_requesting({container("c", {{"cpu", "500m"}, {"memory", "1Gi"}})}), "",
       false},
      {"no requests", pod_requesting({container("c", nullptr)}), "", false},
      {"cpu", pod_requesting({container("c", {{"cpu", "501m"}})}), "Insufficient cpu", false},
      {"memory", pod_requesting({container("c", {{"memory", "1025Mi"}})}), "Insufficient memory",
       false},
      {"both, cpu first", pod_requesting({container("c", {{"cpu", "1"}, {"memory", "2Gi"}})}),
       "Insufficient cpu|Insufficient memory", false},
      {"larger than the whole node", pod_requesting({container("c", {{"memory", "5Gi"}})}),
       "Insufficient memory", true},
      {"extended resource the node lacks",
       pod_requesting({container("c", {{"nvidia.com/gpu", "1"}})}), "Insufficient nvidia.com/gpu",
       true},
  };
  for (const auto& c : cases) {
    const FilterResult r = filter_node_resources_fit(c.pod, snapshot);
    EXPECT_EQ(reasons(r), c.reasons) << c.name;
    if (!c.reasons.empty()) {
      EXPECT_EQ(r.unresolvable, c.unresolvable) << c.name;
    }
  }

  NodeSnapshot full = snapshot;
  full.add_pod(bound(pod_requesting({container("w", nullptr)})));
  EXPECT_EQ(
      reasons(filter_node_resources_fit(pod_requesting({container("c", {{"cpu", "1"}})}), full)),
      "Too many pods|Insufficient cpu");
}

TEST(RunFilters, StopsAtTheFirstFailingFilterInKubeSchedulerOrder) {
  Json node = ready_node(
      "a", {{"unschedulable", true}, {"taints", {{{"key", "k"}, {"effect", "NoSchedule"}}}}});
  const Json pod = pod_with_spec({{"nodeSelector", {{"disk", "ssd"}}}});
  EXPECT_EQ(reasons(run_filters(pod, make_snapshot(node))), "node(s) were unschedulable");
  node["spec"].erase("unschedulable");
  EXPECT_EQ(reasons(run_filters(pod, make_snapshot(node))), "node(s) had untolerated taint {k: }");
  node["spec"].erase("taints");
  EXPECT_EQ(reasons(run_filters(pod, make_snapshot(node))),
            "node(s) didn't match Pod's node affinity/selector");
  EXPECT_TRUE(run_filters(pod_with_spec({}), make_snapshot(node)).passed());
}

}  // namespace
}  // namespace skiff::scheduler
