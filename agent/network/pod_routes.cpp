#include "agent/network/pod_routes.h"

#include <utility>

#include "pkg/log/log.h"

namespace skiff::agent::network {
namespace {

std::string join_lines(const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& line : lines) text += line + "\n";
  return text;
}

// iproute2 ends its output with a newline; a log field reads better without.
std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

}  // namespace

PodRoutes::PodRoutes(PodRoutesOptions options, IpRunnerPtr runner)
    : options_(std::move(options)), runner_(std::move(runner)) {}

bool PodRoutes::sync(const Json& nodes) {
  std::lock_guard lock(mutex_);
  PodRoutesModel model = build_pod_routes_model(options_.node_name, options_.backend, nodes);
  if (model.desired.vxlan)
    model.desired.vxlan->mtu = uplink_mtu_for(model.desired.vxlan->local_ip) - kVxlanOverhead;
  if (applied_ && *applied_ == model.desired) return true;
  for (const std::string& reason : model.skipped)
    log::warn("pod routes: node skipped", {{"reason", reason}});
  return apply(model.desired);
}

bool PodRoutes::remove() {
  std::lock_guard lock(mutex_);
  applied_.reset();
  return apply(PodRoutesState{});
}

int PodRoutes::uplink_mtu_for(const std::string& local_ip) {
  if (options_.uplink_mtu > 0) return options_.uplink_mtu;
  if (detected_mtu_ && detected_mtu_->first == local_ip) return detected_mtu_->second;
  int mtu = 1500;
  ChildResult addresses = runner_->run({"ip", "-j", "-4", "addr", "show"});
  if (addresses.exit_code == 0)
    mtu = mtu_of_interface_with(addresses.output, local_ip).value_or(mtu);
  detected_mtu_ = {local_ip, mtu};
  return mtu;
}

ObservedPodRoutes PodRoutes::observe() {
  ObservedPodRoutes observed;
  const std::string protocol = std::to_string(kPodRouteProtocol);
  ChildResult routes = runner_->run({"ip", "-j", "-4", "route", "show", "proto", protocol});
  if (routes.exit_code == 0) observed.routes = parse_ip_routes(routes.output);
  // An absent device is a failing command: no device, nothing on it.
  ChildResult device = runner_->run({"ip", "-j", "-d", "-4", "addr", "show", "dev", kVxlanDevice});
  if (device.exit_code != 0) return observed;
  observed.vxlan = parse_vxlan_device(device.output);
  if (!observed.vxlan) return observed;
  ChildResult neighbours =
      runner_->run({"ip", "-j", "-4", "neigh", "show", "dev", kVxlanDevice, "nud", "permanent"});
  if (neighbours.exit_code == 0) observed.neighbours = parse_neighbours(neighbours.output);
  ChildResult fdb = runner_->run({"bridge", "-j", "fdb", "show", "dev", kVxlanDevice});
  if (fdb.exit_code == 0) observed.fdb = parse_fdb(fdb.output);
  return observed;
}

bool PodRoutes::apply(const PodRoutesState& desired) {
  PodRoutesPlan plan;
  try {
    plan = plan_pod_routes(desired, observe());
    bool ok = true;
    if (!plan.ip_commands.empty()) {
      ChildResult result =
          runner_->run({"ip", "-force", "-batch", "-"}, join_lines(plan.ip_commands));
      if (result.exit_code != 0) {
        ok = false;
        log::error("pod routes: ip refused changes",
                   {{"commands", join_lines(plan.ip_commands)}, {"error", trimmed(result.output)}});
      }
    }
    if (!plan.bridge_commands.empty()) {
      ChildResult result =
          runner_->run({"bridge", "-force", "-batch", "-"}, join_lines(plan.bridge_commands));
      if (result.exit_code != 0) {
        ok = false;
        log::error(
            "pod routes: bridge refused changes",
            {{"commands", join_lines(plan.bridge_commands)}, {"error", trimmed(result.output)}});
      }
    }
    if (!ok) {
      applied_.reset();
      return false;
    }
  } catch (const ChildProcessError& error) {
    log::error("pod routes: cannot run iproute2", {{"error", error.what()}});
    applied_.reset();
    return false;
  }
  if (!plan.empty())
    log::info("pod routes: synced",
              {{"backend", std::string(pod_network_backend_name(options_.backend))},
               {"routes", std::to_string(desired.routes.size())},
               {"changes", std::to_string(plan.ip_commands.size() + plan.bridge_commands.size())}});
  applied_ = desired;
  return true;
}

}  // namespace skiff::agent::network
