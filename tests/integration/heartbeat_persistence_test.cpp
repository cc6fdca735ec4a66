// Lease renewals are kept in memory by the server (no disk write): what a user sees across
// restarts. A clean stop (SIGTERM) saves the last renewal; a crash (SIGKILL) loses only the
// renewals since the last durable write, and resourceVersions never go back.
#include <gtest/gtest.h>

#include <string>

#include "pkg/api/json.h"
#include "tests/integration/support/test_server.h"

namespace skiff::testing {
namespace {

const std::string kLeases = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases";

Json call(TestServer& server, const std::string& method, const std::string& path,
          const Json& body = nullptr) {
  auto result = http(method, server.url() + path, body.is_null() ? "" : body.dump(),
                     {"Content-Type: application/json", "Accept: application/json"});
  EXPECT_GE(result.status, 200) << method << " " << path << ": " << result.body;
  EXPECT_LT(result.status, 300) << method << " " << path << ": " << result.body;
  return Json::parse(result.body, nullptr, false);
}

Json renew(TestServer& server, Json lease, const std::string& renew_time) {
  lease["spec"]["renewTime"] = renew_time;
  return call(server, "PUT", kLeases + "/node-1", lease);
}

int64_t version_of(const Json& object) {
  return std::stoll(object["metadata"]["resourceVersion"].get<std::string>());
}

TEST(HeartbeatPersistence, CleanStopKeepsRenewalsAndACrashRevertsThemWithoutReusingVersions) {
  TestServer server;
  Json lease = {{"apiVersion", "coordination.k8s.io/v1"},
                {"kind", "Lease"},
                {"metadata", {{"name", "node-1"}}},
                {"spec",
                 {{"holderIdentity", "node-1"},
                  {"leaseDurationSeconds", 40},
                  {"renewTime", "2024-05-01T10:00:00.000000Z"}}}};
  lease = call(server, "POST", kLeases, lease);
  lease = renew(server, lease, "2024-05-01T10:00:10.000000Z");
  ASSERT_EQ(lease["spec"]["renewTime"], "2024-05-01T10:00:10.000000Z");

  server.stop(SIGTERM);
  server.start();
  Json read = call(server, "GET", kLeases + "/node-1");
  EXPECT_EQ(read["spec"]["renewTime"], "2024-05-01T10:00:10.000000Z");
  EXPECT_EQ(version_of(read), version_of(lease));

  const Json renewed = renew(server, read, "2024-05-01T10:00:20.000000Z");
  EXPECT_GT(version_of(renewed), version_of(read));
  server.stop(SIGKILL);
  server.start();
  read = call(server, "GET", kLeases + "/node-1");
  EXPECT_EQ(read["spec"]["renewTime"], "2024-05-01T10:00:10.000000Z");  // the last durable one
  // The object is back at its older version, but every new write gets a newer one than any
  // version a client saw before the crash.
  const Json after = renew(server, read, "2024-05-01T10:00:30.000000Z");
  EXPECT_GT(version_of(after), version_of(renewed));
  Json list = call(server, "GET", kLeases);
  EXPECT_GT(std::stoll(list["metadata"]["resourceVersion"].get<std::string>()),
            version_of(renewed));
}

}  // namespace
}  // namespace skiff::testing
