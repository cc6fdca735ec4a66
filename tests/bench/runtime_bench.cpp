// Create+start of one container in a pod sandbox: through skiff's podman runtime vs the same
// two calls sent straight to podman's API on the same socket. The ratio is the runtime layer's
// overhead (JSON building, labels, error mapping). Runs alternate so both see the same machine
// load. Needs root and podman (see tests/integration/support/podman_test_env.h).
//
// Usage: runtime_bench [runs]   (default 20)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "agent/runtime/podman/podman_client.h"
#include "agent/runtime/podman/podman_runtime.h"
#include "pkg/api/json.h"
#include "tests/integration/support/podman_test_env.h"

namespace rt = skiff::agent::runtime;
using Steady = std::chrono::steady_clock;

namespace {

double millis(Steady::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

double percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  const size_t index = std::min(
      values.size() - 1, static_cast<size_t>(p / 100.0 * static_cast<double>(values.size())));
  return values[index];
}

void report(const char* what, const std::vector<double>& ms) {
  std::printf("%-34s p50 %7.1f ms   p99 %7.1f ms   (n=%zu)\n", what, percentile(ms, 50),
              percentile(ms, 99), ms.size());
}

// The direct path: the two requests a hand-written client would send.
std::string direct_create_start(rt::podman::PodmanClient& client, const std::string& sandbox,
                                const std::string& image, const std::string& name) {
  const skiff::Json body = {
      {"name", name}, {"pod", sandbox}, {"image", image}, {"entrypoint", {"/bin/sleep", "3600"}}};
  auto created = client.request("POST", "/containers/create", body.dump());
  if (created.status >= 400) throw std::runtime_error("direct create: " + created.body);
  const std::string id = skiff::Json::parse(created.body).at("Id").get<std::string>();
  auto started = client.request("POST", "/containers/" + id + "/start");
  if (started.status >= 400) throw std::runtime_error("direct start: " + started.body);
  return id;
}

}  // namespace

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 20;
  if (std::string reason = skiff::testing::PodmanTestEnv::unavailable_reason(); !reason.empty()) {
    std::printf("runtime_bench: skipped: %s\n", reason.c_str());
    return 0;
  }
  try {
    skiff::testing::PodmanTestEnv env;
    rt::podman::PodmanRuntime runtime(rt::podman::PodmanRuntimeOptions{env.socket_path()});
    rt::podman::PodmanClient client(env.socket_path());

    std::vector<double> sandbox_ms;
    rt::PodSandboxConfig pod;
    pod.metadata = {"bench", "default", "bench-uid", 0};
    auto t0 = Steady::now();
    const std::string sandbox = runtime.run_pod_sandbox(pod);
    sandbox_ms.push_back(millis(Steady::now() - t0));

    std::vector<double> runtime_ms, direct_ms;
    for (int i = -2; i < runs; ++i) {  // two warm-up rounds, not counted
      rt::ContainerConfig config;
      config.name = "app";
      config.attempt = static_cast<uint32_t>(i + 2);
      config.image = env.image();
      config.command = {"/bin/sleep", "3600"};
      auto start = Steady::now();
      std::string id = runtime.create_container(sandbox, config, pod);
      runtime.start_container(id);
      const double through_runtime = millis(Steady::now() - start);

      start = Steady::now();
      std::string direct_id =
          direct_create_start(client, sandbox, env.image(), "direct-" + std::to_string(i + 2));
      const double direct = millis(Steady::now() - start);

      runtime.remove_container(id);
      runtime.remove_container(direct_id);
      if (i >= 0) {
        runtime_ms.push_back(through_runtime);
        direct_ms.push_back(direct);
      }
    }
    runtime.remove_pod_sandbox(sandbox);

    std::printf("create+start of one container in a sandbox, %d runs each, alternating\n", runs);
    report("skiff runtime (PodmanRuntime)", runtime_ms);
    report("podman API directly", direct_ms);
    std::printf("%-34s p50 %7.2fx\n", "ratio runtime / direct",
                percentile(runtime_ms, 50) / percentile(direct_ms, 50));
    report("run_pod_sandbox (once, for scale)", sandbox_ms);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "runtime_bench: %s\n", error.what());
    return 1;
  }
  return 0;
}
