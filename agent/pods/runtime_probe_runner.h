#pragma once
// The real probes: exec runs the command in the container through the runtime (exit 0 =
// success); httpGet asks http(s)://<host or pod IP>:<port><path> from the host (a status from
// 200 to 399 = success; TLS is not verified, as the kubelet does); tcpSocket succeeds when a
// connection opens. Each honours the probe's timeoutSeconds.
#include "agent/pods/probe_runner.h"
#include "agent/runtime/runtime.h"

namespace skiff::agent::pods {

class RuntimeProbeRunner final : public ProbeRunner {
 public:
  explicit RuntimeProbeRunner(runtime::Runtime& runtime) : runtime_(runtime) {}
  ProbeOutcome run(ProbeType type, const ProbeSpec& probe, const ProbeTarget& target) override;

 private:
  ProbeOutcome exec(const ProbeSpec& probe, const ProbeTarget& target);
  runtime::Runtime& runtime_;
};

ProbeOutcome http_get_probe(const ProbeSpec& probe, const std::string& pod_ip);
ProbeOutcome tcp_socket_probe(const ProbeSpec& probe, const std::string& pod_ip);

}  // namespace skiff::agent::pods
