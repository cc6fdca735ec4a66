// NodePods::status_disagrees decides when the agent re-reports a pod status the server holds
// differently (e.g. the node lifecycle controller marked the pods of a silent node not ready).
#include <gtest/gtest.h>

#include "agent/node_pods.h"

namespace skiff::agent {
namespace {

Json status(const char* phase, const char* ready) {
  return {{"phase", phase},
          {"conditions", {{{"type", "Ready"}, {"status", ready}}, {{"type", "Initialized"}}}}};
}

TEST(NodePodsStatus, DisagreementIsPhaseOrReady) {
  struct Case {
    const char* name;
    Json server;
    Json agent;
    bool want;
  };
  const std::vector<Case> cases = {
      {"same", status("Running", "True"), status("Running", "True"), false},
      {"marked not ready by the server", status("Running", "False"), status("Running", "True"),
       true},
      {"phase differs", status("Pending", "False"), status("Running", "False"), true},
      {"server has no status yet", Json::object(), status("Running", "True"), true},
      {"server status null", nullptr, status("Running", "True"), true},
      {"agent has nothing to say", status("Running", "True"), nullptr, false},
      {"conditions not a list",
       {{"phase", "Running"}, {"conditions", 3}},
       {{"phase", "Running"}},
       false},
  };
  for (const auto& c : cases) EXPECT_EQ(status_disagrees(c.server, c.agent), c.want) << c.name;
}

}  // namespace
}  // namespace skiff::agent
