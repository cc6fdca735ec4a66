#include "server/apiserver/tables.h"

#include <gtest/gtest.h>

#include "pkg/api/errors.h"
#include "pkg/api/time.h"

namespace skiff::apiserver {
namespace {

const auto kNow = *api::parse_rfc3339("2026-11-26T10:00:00Z");

const api::ResourceInfo& resource(const char* name) {
  const api::ResourceInfo* info = api::find_by_user_name(name);
  if (!info) throw std::runtime_error(std::string("no resource ") + name);
  return *info;
}

Json table_of(const char* resource_name, const Json& object,
              IncludeObject include = IncludeObject::Metadata) {
  return make_table(resource(resource_name), {object}, "42", include, kNow);
}

// The row's cells keyed by column name, the way kubectl lines them up.
Json cells_by_name(const Json& table, size_t row = 0) {
  Json out = Json::object();
  const Json& columns = table["columnDefinitions"];
  const Json& cells = table["rows"][row]["cells"];
  EXPECT_EQ(columns.size(), cells.size());
  for (size_t i = 0; i < columns.size() && i < cells.size(); ++i)
    out[columns[i]["name"].get<std::string>()] = cells[i];
  return out;
}

std::vector<std::string> column_names(const Json& table, int priority) {
  std::vector<std::string> out;
  for (const auto& column : table["columnDefinitions"])
    if (column["priority"] == priority) out.push_back(column["name"]);
  return out;
}

Json pod(Json status, Json spec = nullptr) {
  if (spec.is_null()) spec = {{"containers", {{{"name", "app"}, {"image", "nginx"}}}}};
  return {{"metadata",
           {{"name", "web-1"},
            {"namespace", "default"},
            {"labels", {{"app", "web"}}},
            {"creationTimestamp", "2026-11-26T09:55:00Z"}}},
          {"spec", spec},
          {"status", status}};
}

TEST(TableNegotiation, RecognisesKubectlAcceptHeader) {
  EXPECT_TRUE(wants_table(
      "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;"
      "g=meta.k8s.io,application/json"));
  EXPECT_TRUE(wants_table("application/json;as=Table;v=v1beta1;g=meta.k8s.io"));
  EXPECT_FALSE(wants_table("application/json"));
  EXPECT_FALSE(wants_table("application/json;as=Table;v=v1;g=example.com"));
}

TEST(TableNegotiation, ParsesIncludeObject) {
  EXPECT_EQ(parse_include_object(""), IncludeObject::Metadata);
  EXPECT_EQ(parse_include_object("Metadata"), IncludeObject::Metadata);
  EXPECT_EQ(parse_include_object("Object"), IncludeObject::Object);
  EXPECT_EQ(parse_include_object("None"), IncludeObject::None);
  try {
    parse_include_object("Everything");
    FAIL() << "expected a 400";
  } catch (const api::ApiError& error) {
    EXPECT_EQ(error.code(), 400);
  }
}

TEST(Table, ShapeAndIncludeObjectVariants) {
  Json p = pod({{"phase", "Pending"}});
  Json table = table_of("pods", p);
  EXPECT_EQ(table["kind"], "Table");
  EXPECT_EQ(table["apiVersion"], "meta.k8s.io/v1");
  EXPECT_EQ(table["metadata"]["resourceVersion"], "42");
  EXPECT_EQ(table["columnDefinitions"][0]["name"], "Name");
  EXPECT_EQ(table["columnDefinitions"][0]["format"], "name");

  const Json& partial = table["rows"][0]["object"];
  EXPECT_EQ(partial["kind"], "PartialObjectMetadata");
  EXPECT_EQ(partial["apiVersion"], "meta.k8s.io/v1");
  EXPECT_EQ(partial["metadata"], p["metadata"]);
  EXPECT_FALSE(partial.contains("spec"));

  Json full = table_of("pods", p, IncludeObject::Object)["rows"][0]["object"];
  EXPECT_EQ(full["spec"], p["spec"]);
  EXPECT_EQ(full["kind"], "Pod");
  EXPECT_EQ(full["apiVersion"], "v1");

  EXPECT_FALSE(table_of("pods", p, IncludeObject::None)["rows"][0].contains("object"));

  Json watch_row = make_table(resource("pods"), {p}, "43", IncludeObject::Metadata, kNow, false);
  EXPECT_TRUE(watch_row["columnDefinitions"].is_null());
  EXPECT_EQ(watch_row["rows"].size(), 1u);

  Json empty = make_table(resource("pods"), {}, "7", IncludeObject::Metadata, kNow);
  EXPECT_TRUE(empty["rows"].empty());
  EXPECT_FALSE(empty["columnDefinitions"].empty());
}

TEST(PodTable, RunningPodWithOneReadyContainer) {
  Json table = table_of(
      "pods", pod({{"phase", "Running"},
                   {"podIP", "10.42.0.7"},
                   {"podIPs", {{{"ip", "10.42.0.7"}}}},
                   {"containerStatuses",
                    {{{"name", "app"},
                      {"ready", true},
                      {"restartCount", 0},
                      {"state", {{"running", {{"startedAt", "2026-11-26T09:56:00Z"}}}}}}}}},
                  {{"nodeName", "node1"}, {"containers", {{{"name", "app"}}}}}));
  EXPECT_EQ(column_names(table, 0),
            (std::vector<std::string>{"Name", "Ready", "Status", "Restarts", "Age"}));
  EXPECT_EQ(column_names(table, 1),
            (std::vector<std::string>{"IP", "Node", "Nominated Node", "Readiness Gates"}));
  Json cells = cells_by_name(table);
  EXPECT_EQ(cells["Name"], "web-1");
  EXPECT_EQ(cells["Ready"], "1/1");
  EXPECT_EQ(cells["Status"], "Running");
  EXPECT_EQ(cells["Restarts"], "0");
  EXPECT_EQ(cells["Age"], "5m");
  EXPECT_EQ(cells["IP"], "10.42.0.7");
  EXPECT_EQ(cells["Node"], "node1");
  EXPECT_EQ(cells["Nominated Node"], "<none>");
  EXPECT_EQ(cells["Readiness Gates"], "<none>");
}

TEST(PodTable, CrashLoopBackOffShowsWaitingReasonAndLastRestart) {
  Json cells = cells_by_name(table_of(
      "pods",
      pod({{"phase", "Running"},
           {"containerStatuses",
            {{{"name", "app"},
              {"ready", false},
              {"restartCount", 3},
              {"state", {{"waiting", {{"reason", "CrashLoopBackOff"}}}}},
              {"lastState",
               {{"terminated", {{"exitCode", 1}, {"finishedAt", "2026-11-26T09:58:00Z"}}}}}}}}})));
  EXPECT_EQ(cells["Ready"], "0/1");
  EXPECT_EQ(cells["Status"], "CrashLoopBackOff");
  EXPECT_EQ(cells["Restarts"], "3 (2m ago)");
  EXPECT_EQ(cells["IP"], "<none>");
  EXPECT_EQ(cells["Node"], "<none>");
}

TEST(PodTable, StatusReasons) {
  auto status_of = [](const Json& p) { return cells_by_name(table_of("pods", p))["Status"]; };
  EXPECT_EQ(
      status_of(pod(
          {{"phase", "Pending"},
           {"containerStatuses",
            {{{"name", "app"}, {"state", {{"waiting", {{"reason", "ContainerCreating"}}}}}}}}})),
      "ContainerCreating");
  EXPECT_EQ(status_of(pod(
                {{"phase", "Succeeded"},
                 {"containerStatuses",
                  {{{"name", "app"},
                    {"state", {{"terminated", {{"exitCode", 0}, {"reason", "Completed"}}}}}}}}})),
            "Completed");
  EXPECT_EQ(status_of(pod({{"phase", "Failed"},
                           {"containerStatuses",
                            {{{"name", "app"}, {"state", {{"terminated", {{"exitCode", 2}}}}}}}}})),
            "ExitCode:2");
  EXPECT_EQ(status_of(pod({{"phase", "Failed"}, {"reason", "Evicted"}})), "Evicted");

  Json terminating = pod({{"phase", "Running"}});
  terminating["metadata"]["deletionTimestamp"] = "2026-11-26T09:59:00Z";
  EXPECT_EQ(status_of(terminating), "Terminating");

  Json init_spec = {{"initContainers", {{{"name", "setup"}}}}, {"containers", {{{"name", "app"}}}}};
  EXPECT_EQ(
      status_of(
          pod({{"phase", "Pending"},
               {"initContainerStatuses",
                {{{"name", "setup"}, {"state", {{"waiting", {{"reason", "PodInitializing"}}}}}}}}},
              init_spec)),
      "Init:0/1");
  EXPECT_EQ(
      status_of(pod({{"phase", "Pending"},
                     {"initContainerStatuses",
                      {{{"name", "setup"},
                        {"state", {{"terminated", {{"exitCode", 1}, {"reason", "Error"}}}}}}}}},
                    init_spec)),
      "Init:Error");
  EXPECT_EQ(status_of(pod(
                {{"phase", "Pending"},
                 {"initContainerStatuses",
                  {{{"name", "setup"}, {"state", {{"waiting", {{"reason", "ErrImagePull"}}}}}}}}},
                init_spec)),
            "Init:ErrImagePull");
}

TEST(DeploymentTable, ReadyUpToDateAvailableAndWideColumns) {
  Json deployment = {
      {"metadata", {{"name", "web"}, {"creationTimestamp", "2026-11-26T07:00:00Z"}}},
      {"spec",
       {{"replicas", 3},
        {"selector", {{"matchLabels", {{"app", "web"}}}}},
        {"template",
         {{"spec",
           {{"containers",
             {{{"name", "nginx"}, {"image", "nginx:1.25"}},
              {{"name", "sidecar"}, {"image", "busybox"}}}}}}}}}},
      {"status", {{"readyReplicas", 2}, {"updatedReplicas", 3}, {"availableReplicas", 2}}}};
  Json table = table_of("deploy", deployment);
  EXPECT_EQ(column_names(table, 0),
            (std::vector<std::string>{"Name", "Ready", "Up-to-date", "Available", "Age"}));
  Json cells = cells_by_name(table);
  EXPECT_EQ(cells["Ready"], "2/3");
  EXPECT_EQ(cells["Up-to-date"], 3);
  EXPECT_EQ(cells["Available"], 2);
  EXPECT_EQ(cells["Age"], "3h");
  EXPECT_EQ(cells["Containers"], "nginx,sidecar");
  EXPECT_EQ(cells["Images"], "nginx:1.25,busybox");
  EXPECT_EQ(cells["Selector"], "app=web");
}

TEST(ReplicaSetTable, DesiredCurrentReady) {
  Json rs = {{"metadata", {{"name", "web-abc"}, {"creationTimestamp", "2026-11-26T09:59:15Z"}}},
             {"spec",
              {{"replicas", 2},
               {"selector",
                {{"matchLabels", {{"app", "web"}}},
                 {"matchExpressions",
                  {{{"key", "tier"}, {"operator", "In"}, {"values", {"fe", "be"}}}}}}}}},
             {"status", {{"replicas", 2}, {"readyReplicas", 1}}}};
  Json cells = cells_by_name(table_of("rs", rs));
  EXPECT_EQ(cells["Desired"], 2);
  EXPECT_EQ(cells["Current"], 2);
  EXPECT_EQ(cells["Ready"], 1);
  EXPECT_EQ(cells["Age"], "45s");
  EXPECT_EQ(cells["Selector"], "app=web,tier in (be,fe)");
}

TEST(NodeTable, StatusRolesAndWideColumns) {
  Json node = {
      {"metadata",
       {{"name", "node1"},
        {"creationTimestamp", "2026-11-20T10:00:00Z"},
        {"labels",
         {{"node-role.kubernetes.io/control-plane", ""}, {"node-role.kubernetes.io/master", ""}}}}},
      {"spec", {{"unschedulable", true}}},
      {"status",
       {{"conditions", {{{"type", "Ready"}, {"status", "True"}}}},
        {"addresses",
         {{{"type", "InternalIP"}, {"address", "192.168.1.5"}},
          {{"type", "Hostname"}, {"address", "node1"}}}},
        {"nodeInfo",
         {{"kubeletVersion", "v1.32.0+skiff"},
          {"osImage", "Debian GNU/Linux 12"},
          {"kernelVersion", "6.1.0"},
          {"containerRuntimeVersion", "skiff://0.1.0"}}}}}};
  Json cells = cells_by_name(table_of("nodes", node));
  EXPECT_EQ(cells["Status"], "Ready,SchedulingDisabled");
  EXPECT_EQ(cells["Roles"], "control-plane,master");
  EXPECT_EQ(cells["Age"], "6d");
  EXPECT_EQ(cells["Version"], "v1.32.0+skiff");
  EXPECT_EQ(cells["Internal-IP"], "192.168.1.5");
  EXPECT_EQ(cells["External-IP"], "<none>");
  EXPECT_EQ(cells["OS-Image"], "Debian GNU/Linux 12");
  EXPECT_EQ(cells["Container-Runtime"], "skiff://0.1.0");

  Json bare = {{"metadata", {{"name", "node2"}}}};
  Json bare_cells = cells_by_name(table_of("nodes", bare));
  EXPECT_EQ(bare_cells["Status"], "Unknown");
  EXPECT_EQ(bare_cells["Roles"], "<none>");
  EXPECT_EQ(bare_cells["Age"], "<unknown>");
  EXPECT_EQ(bare_cells["Kernel-Version"], "<unknown>");

  node["status"]["conditions"][0]["status"] = "False";
  node["spec"]["unschedulable"] = false;
  EXPECT_EQ(cells_by_name(table_of("nodes", node))["Status"], "NotReady");
}

TEST(ServiceTable, NodePortAndLoadBalancer) {
  Json service = {{"metadata", {{"name", "web"}}},
                  {"spec",
                   {{"type", "NodePort"},
                    {"clusterIP", "10.43.0.10"},
                    {"clusterIPs", {"10.43.0.10"}},
                    {"selector", {{"app", "web"}, {"tier", "fe"}}},
                    {"ports",
                     {{{"port", 80}, {"nodePort", 30080}, {"protocol", "TCP"}},
                      {{"port", 443}, {"protocol", "TCP"}},
                      {{"port", 53}, {"protocol", "UDP"}}}}}}};
  Json cells = cells_by_name(table_of("svc", service));
  EXPECT_EQ(cells["Type"], "NodePort");
  EXPECT_EQ(cells["Cluster-IP"], "10.43.0.10");
  EXPECT_EQ(cells["External-IP"], "<none>");
  EXPECT_EQ(cells["Port(s)"], "80:30080/TCP,443/TCP,53/UDP");
  EXPECT_EQ(cells["Selector"], "app=web,tier=fe");

  service["spec"]["type"] = "LoadBalancer";
  EXPECT_EQ(cells_by_name(table_of("svc", service))["External-IP"], "<pending>");
  service["status"]["loadBalancer"]["ingress"] = {{{"ip", "203.0.113.7"}}};
  EXPECT_EQ(cells_by_name(table_of("svc", service))["External-IP"], "203.0.113.7");

  Json external = {{"metadata", {{"name", "db"}}},
                   {"spec", {{"type", "ExternalName"}, {"externalName", "db.example.com"}}}};
  Json external_cells = cells_by_name(table_of("svc", external));
  EXPECT_EQ(external_cells["External-IP"], "db.example.com");
  EXPECT_EQ(external_cells["Cluster-IP"], "<none>");
  EXPECT_EQ(external_cells["Port(s)"], "<none>");
  EXPECT_EQ(external_cells["Selector"], "<none>");
}

TEST(EndpointsTable, ListsThreeThenCountsTheRest) {
  Json endpoints = {{"metadata", {{"name", "web"}}},
                    {"subsets",
                     {{{"addresses",
                        {{{"ip", "10.42.0.5"}},
                         {{"ip", "10.42.0.6"}},
                         {{"ip", "10.42.0.7"}},
                         {{"ip", "10.42.0.8"}}}},
                       {"ports", {{{"port", 80}}}}}}}};
  EXPECT_EQ(cells_by_name(table_of("ep", endpoints))["Endpoints"],
            "10.42.0.5:80,10.42.0.6:80,10.42.0.7:80 + 1 more...");
  Json none = {{"metadata", {{"name", "empty"}}}};
  EXPECT_EQ(cells_by_name(table_of("ep", none))["Endpoints"], "<none>");
}

TEST(SmallTables, ConfigMapsSecretsNamespacesServiceAccounts) {
  Json cm = {{"metadata", {{"name", "cfg"}}}, {"data", {{"a", "1"}, {"b", "2"}}}};
  EXPECT_EQ(cells_by_name(table_of("cm", cm))["Data"], 2);
  Json secret = {{"metadata", {{"name", "tls"}}},
                 {"type", "kubernetes.io/tls"},
                 {"data", {{"tls.crt", "eA=="}, {"tls.key", "eA=="}}}};
  Json secret_cells = cells_by_name(table_of("secrets", secret));
  EXPECT_EQ(secret_cells["Type"], "kubernetes.io/tls");
  EXPECT_EQ(secret_cells["Data"], 2);
  Json ns = {{"metadata", {{"name", "dev"}}}, {"status", {{"phase", "Terminating"}}}};
  EXPECT_EQ(cells_by_name(table_of("ns", ns))["Status"], "Terminating");
  Json sa = {{"metadata", {{"name", "default"}}}};
  EXPECT_EQ(cells_by_name(table_of("sa", sa))["Secrets"], 0);
}

TEST(EventTable, ObjectSourceCountAndColumns) {
  Json event = {{"metadata", {{"name", "web-1.17a"}}},
                {"type", "Warning"},
                {"reason", "BackOff"},
                {"message", "Back-off restarting failed container\n"},
                {"involvedObject",
                 {{"kind", "Pod"}, {"name", "web-1"}, {"fieldPath", "spec.containers{app}"}}},
                {"source", {{"component", "kubelet"}, {"host", "node1"}}},
                {"firstTimestamp", "2026-11-26T09:00:00Z"},
                {"lastTimestamp", "2026-11-26T09:59:00Z"},
                {"count", 7}};
  Json table = table_of("events", event);
  EXPECT_EQ(column_names(table, 0),
            (std::vector<std::string>{"Last Seen", "Type", "Reason", "Object", "Message"}));
  EXPECT_EQ(column_names(table, 1),
            (std::vector<std::string>{"Subobject", "Source", "First Seen", "Count", "Name"}));
  Json cells = cells_by_name(table);
  EXPECT_EQ(cells["Last Seen"], "60s");
  EXPECT_EQ(cells["First Seen"], "60m");
  EXPECT_EQ(cells["Object"], "pod/web-1");
  EXPECT_EQ(cells["Message"], "Back-off restarting failed container");
  EXPECT_EQ(cells["Source"], "kubelet, node1");
  EXPECT_EQ(cells["Count"], 7);
  EXPECT_EQ(cells["Name"], "web-1.17a");
}

TEST(NetworkingTables, IngressIngressClassLeaseEndpointSlice) {
  Json ingress = {{"metadata", {{"name", "web"}}},
                  {"spec",
                   {{"rules", {{{"host", "a.example.com"}}, {{"host", "b.example.com"}}}},
                    {"tls", {{{"hosts", {"a.example.com"}}}}}}}};
  Json ingress_cells = cells_by_name(table_of("ing", ingress));
  EXPECT_EQ(ingress_cells["Class"], "<none>");
  EXPECT_EQ(ingress_cells["Hosts"], "a.example.com,b.example.com");
  EXPECT_EQ(ingress_cells["Ports"], "80, 443");
  Json catch_all = {{"metadata", {{"name", "all"}}}, {"spec", {{"ingressClassName", "traefik"}}}};
  Json catch_all_cells = cells_by_name(table_of("ing", catch_all));
  EXPECT_EQ(catch_all_cells["Hosts"], "*");
  EXPECT_EQ(catch_all_cells["Ports"], "80");
  EXPECT_EQ(catch_all_cells["Class"], "traefik");
  // kubectl's counting: once three hosts are listed, "more" is the rules past the third, host
  // or not; the addresses are a sorted set.
  Json many = {{"metadata", {{"name", "many"}}},
               {"spec",
                {{"rules",
                  {{{"host", "a"}},
                   Json::object(),
                   {{"host", "b"}},
                   {{"host", "c"}},
                   Json::object(),
                   {{"host", "d"}}}}}},
               {"status",
                {{"loadBalancer",
                  {{"ingress",
                    {{{"ip", "10.0.0.9"}},
                     {{"hostname", "lb.example"}},
                     {{"ip", "10.0.0.10"}},
                     {{"ip", "10.0.0.9"}}}}}}}}};
  Json many_cells = cells_by_name(table_of("ing", many));
  EXPECT_EQ(many_cells["Hosts"], "a,b,c + 3 more...");
  EXPECT_EQ(many_cells["Address"], "10.0.0.10,10.0.0.9,lb.example");

  Json ingress_class = {{"metadata", {{"name", "traefik"}}},
                        {"spec", {{"controller", "traefik.io/ingress-controller"}}}};
  Json class_cells = cells_by_name(table_of("ingressclasses", ingress_class));
  EXPECT_EQ(class_cells["Controller"], "traefik.io/ingress-controller");
  EXPECT_EQ(class_cells["Parameters"], "<none>");

  Json lease = {{"metadata", {{"name", "node1"}}}, {"spec", {{"holderIdentity", "node1"}}}};
  EXPECT_EQ(cells_by_name(table_of("leases", lease))["Holder"], "node1");

  Json slice = {{"metadata", {{"name", "web-xyz"}}},
                {"addressType", "IPv4"},
                {"ports", {{{"name", "http"}, {"port", 80}}}},
                {"endpoints", {{{"addresses", {"10.42.0.5"}}}, {{"addresses", {"10.42.0.6"}}}}}};
  Json slice_cells = cells_by_name(table_of("endpointslices", slice));
  EXPECT_EQ(slice_cells["AddressType"], "IPv4");
  EXPECT_EQ(slice_cells["Ports"], "80");
  EXPECT_EQ(slice_cells["Endpoints"], "10.42.0.5,10.42.0.6");
}

TEST(DefaultTable, NameAndCreatedAt) {
  api::ResourceInfo widget;
  widget.kind = "Widget";
  widget.version = "v1";
  widget.group = "example.com";
  widget.plural = "widgets";
  Json table = make_table(
      widget, {{{"metadata", {{"name", "w"}, {"creationTimestamp", "2026-11-26T09:00:00Z"}}}}}, "1",
      IncludeObject::Metadata, kNow);
  ASSERT_EQ(table["columnDefinitions"].size(), 2u);
  EXPECT_EQ(table["columnDefinitions"][1]["name"], "Created At");
  EXPECT_EQ(table["columnDefinitions"][1]["type"], "date");
  EXPECT_EQ(table["rows"][0]["cells"], (Json{"w", "2026-11-26T09:00:00Z"}));
}

}  // namespace
}  // namespace skiff::apiserver
