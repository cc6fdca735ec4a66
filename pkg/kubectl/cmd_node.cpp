// `kubectl cordon|uncordon|drain NODE`: spec.unschedulable through a strategic-merge patch,
// and drain = cordon, then evict (policy/v1 Eviction) every pod on the node that kubectl's
// filters allow (drain_filters.h), waiting until each is gone.
#include <chrono>
#include <ostream>
#include <thread>

#include "pkg/kubectl/commands.h"
#include "pkg/kubectl/drain_filters.h"
#include "pkg/kubectl/errors.h"
#include "pkg/kubectl/json_access.h"
#include "pkg/kubectl/query.h"
#include "pkg/kubectl/targets.h"

namespace skiff::kubectl {
namespace {

using Clock = std::chrono::steady_clock;

// How long kubectl waits before retrying an eviction the server refused with 429.
constexpr std::chrono::seconds kEvictRetryDelay{5};

void declare_cordon(util::Flags& flags) {
  flags.add_string("selector,l", "", "Selector (label query) to filter nodes on");
  flags.add_string("dry-run", "none", "none, client (print only) or server (persist nothing)");
}

void declare_drain(util::Flags& flags) {
  declare_cordon(flags);
  flags.add_bool("force", false,
                 "Continue even if there are pods not managed by a ReplicationController, "
                 "ReplicaSet, Job, DaemonSet or StatefulSet");
  flags.add_bool("ignore-daemonsets", false, "Ignore DaemonSet-managed pods");
  flags.add_bool("delete-emptydir-data", false,
                 "Continue even if there are pods using emptyDir (local data that will be "
                 "deleted when the node is drained)");
  flags.add_int("grace-period", -1,
                "Seconds each pod gets to terminate gracefully (negative: the pod's own)");
  flags.add_string("timeout", "0", "How long to wait before giving up (0: forever), e.g. 2m");
  flags.add_string("pod-selector", "", "Label selector to filter pods on the node");
  flags.add_bool("disable-eviction", false, "Delete pods instead of evicting them");
}

// The nodes named on the command line, or selected with -l. As in kubectl, a node that
// cannot be read ends the command before anything changes.
std::vector<TargetObject> nodes(Context& ctx, const std::string& command) {
  const auto& args = ctx.flags.positional();
  const std::string selector = ctx.flags.get_string("selector");
  if (args.empty() && selector.empty())
    throw usage_error("USAGE: " + command + " NODE [flags]\nSee 'kubectl " + command +
                      " -h' for help and examples");
  if (!args.empty() && !selector.empty())
    throw usage_error("cannot specify both a node name and a --selector option");
  std::vector<std::string> request = {"nodes"};
  if (args.size() == 1 && args[0].find('/') != std::string::npos)
    request = args;  // node/NAME
  else
    request.insert(request.end(), args.begin(), args.end());
  TargetSet found = fetch_targets(ctx, request, !selector.empty(), selector);
  if (!found.errors.empty()) throw KubectlError(found.errors[0]);
  for (const auto& target : found.objects)
    if (target.type.kind != "Node")
      throw usage_error("error: expected resource of type node, got \"" + target.type.qualified() +
                        "\"");
  return found.objects;
}

bool unschedulable(const Json& node) {
  const Json& value = member(member(node, "spec"), "unschedulable");
  return value.is_boolean() && value.get<bool>();
}

// Cordons (desired=true) or uncordons every node, printing one line each. Like kubectl, a
// failed patch is reported and the others go on.
void cordon_all(Context& ctx, const std::vector<TargetObject>& targets, bool desired,
                const std::string& dry_run) {
  const std::string verb = desired ? "cordon" : "uncordon";
  for (const auto& node : targets) {
    if (unschedulable(node.object) == desired) {
      ctx.out << node.printed_name() << " already " << verb << "ed" << dry_run_suffix(dry_run)
              << "\n";
      continue;
    }
    if (dry_run != "client") {
      try {
        ctx.api().call("PATCH", with_dry_run(node.path(), dry_run),
                       {{"spec", {{"unschedulable", desired ? Json(true) : Json(nullptr)}}}},
                       "application/strategic-merge-patch+json", "patch nodes " + node.name());
      } catch (const ServerError& e) {
        ctx.out.flush();
        ctx.err << "error: unable to " << verb << " node \"" << node.name()
                << "\": " << server_message(e) << "\n";
        continue;
      }
    }
    ctx.out << node.printed_name() << " " << verb << "ed" << dry_run_suffix(dry_run) << "\n";
  }
  ctx.out.flush();
}

int run_cordon_or_uncordon(Context& ctx, bool desired) {
  const std::string dry_run = dry_run_mode(ctx.flags.get_string("dry-run"));
  cordon_all(ctx, nodes(ctx, desired ? "cordon" : "uncordon"), desired, dry_run);
  // kubectl reports a failed patch on stderr but still exits 0.
  return 0;
}

int run_cordon(Context& ctx) {
  return run_cordon_or_uncordon(ctx, true);
}
int run_uncordon(Context& ctx) {
  return run_cordon_or_uncordon(ctx, false);
}

// --- drain ---

class Drainer {
 public:
  explicit Drainer(Context& ctx) : ctx_(ctx) {
    const auto& flags = ctx.flags;
    options_.force = flags.get_bool("force");
    options_.ignore_daemonsets = flags.get_bool("ignore-daemonsets");
    options_.delete_emptydir_data = flags.get_bool("delete-emptydir-data");
    grace_period_ = flags.get_int("grace-period");
    dry_run_ = dry_run_mode(flags.get_string("dry-run"));
    use_eviction_ = !flags.get_bool("disable-eviction");
    pod_selector_ = flags.get_string("pod-selector");
    auto timeout = parse_duration(flags.get_string("timeout"), "--timeout");
    timeout_text_ = flags.get_string("timeout");
    if (timeout.count() > 0) deadline_ = Clock::now() + timeout;
  }

  // Evicts what may be evicted from `node`; returns the errors (none on success).
  std::vector<std::string> drain(const TargetObject& node) {
    auto verdicts = verdicts_for(node.name());
    if (auto errors = drain_errors(verdicts); !errors.empty()) return errors;
    if (auto warnings = drain_warnings(verdicts); !warnings.empty()) {
      ctx_.out.flush();
      ctx_.err << "Warning: " << warnings << "\n";
    }
    auto pods = pods_to_evict(verdicts);
    if (dry_run_ == "client") {
      for (const auto& pod : pods)
        ctx_.out << "evicting pod " << namespace_of(pod) << "/" << name_of(pod) << " (dry run)\n";
      return {};
    }
    std::vector<std::string> errors;
    std::vector<Json> removing;
    for (const auto& pod : pods) {
      std::string error = remove(pod, removing);
      if (!error.empty()) errors.push_back(error);
    }
    if (dry_run_ == "none")
      for (const auto& pod : removing)
        if (auto error = wait_until_gone(pod); !error.empty()) errors.push_back(error);
    if (!errors.empty()) report_pending(node.name(), aggregate_errors(errors));
    return errors;
  }

 private:
  std::vector<PodVerdict> verdicts_for(const std::string& node) {
    Json list =
        ctx_.api().get("/api/v1/pods" + query_string({{"labelSelector", pod_selector_},
                                                      {"fieldSelector", "spec.nodeName=" + node}}),
                       "list pods");
    return drain_verdicts(
        member(list, "items"), options_,
        [&](const std::string& ns, const std::string& name) { return daemonset(ns, name); });
  }

  DaemonSetLookup daemonset(const std::string& ns, const std::string& name) {
    try {
      ctx_.api().get("/apis/apps/v1/namespaces/" + ns + "/daemonsets/" + name,
                     "get daemonsets.apps " + name);
      return {true, false, ""};
    } catch (const ServerError& e) {
      return {false, e.not_found(), server_message(e)};
    }
  }

  Json delete_options() const {
    Json options = Json::object();
    if (grace_period_ >= 0) options["gracePeriodSeconds"] = grace_period_;
    if (dry_run_ == "server") options["dryRun"] = Json::array({"All"});
    return options;
  }

  // Evicts (or deletes) one pod, retrying while the server answers 429; adds the pod to
  // `removing` when the request was accepted. Returns the error text.
  std::string remove(const Json& pod, std::vector<Json>& removing) {
    const std::string ns = namespace_of(pod);
    const std::string name = name_of(pod);
    const std::string path = "/api/v1/namespaces/" + ns + "/pods/" + name;
    if (!use_eviction_) {
      try {
        ctx_.api().call("DELETE", with_dry_run(path, dry_run_), delete_options(),
                        "application/json", "delete pods " + name);
        removing.push_back(pod);
      } catch (const ServerError& e) {
        if (!e.not_found()) return server_message(e);
      }
      return "";
    }
    Json eviction = {{"apiVersion", "policy/v1"},
                     {"kind", "Eviction"},
                     {"metadata", {{"name", name}, {"namespace", ns}}},
                     {"deleteOptions", delete_options()}};
    while (true) {
      ctx_.out << "evicting pod " << ns << "/" << name
               << (dry_run_ == "server" ? " (server dry run)" : "") << "\n";
      ctx_.out.flush();
      if (expired())
        return "error when evicting pods/\"" + name + "\" -n \"" + ns +
               "\": global timeout reached: " + timeout_text_;
      try {
        ctx_.api().call("POST", with_dry_run(path + "/eviction", dry_run_), eviction,
                        "application/json", "create pods/eviction " + name);
        removing.push_back(pod);
        return "";
      } catch (const ServerError& e) {
        if (e.not_found()) return "";
        if (e.http_status() != 429)
          return "error when evicting pods/\"" + name + "\" -n \"" + ns +
                 "\": " + server_message(e);
        ctx_.err << "error when evicting pods/\"" << name << "\" -n \"" << ns
                 << "\" (will retry after 5s): " << server_message(e) << "\n";
      }
      std::this_thread::sleep_for(kEvictRetryDelay);
    }
  }

  // Polls the pod each second (as kubectl does) until it is gone or replaced (another uid),
  // then prints "pod/NAME evicted". Returns the error text.
  std::string wait_until_gone(const Json& pod) {
    const std::string ns = namespace_of(pod);
    const std::string name = name_of(pod);
    const Json& uid = member(member(pod, "metadata"), "uid");
    while (true) {
      auto response = ctx_.api().send("GET", "/api/v1/namespaces/" + ns + "/pods/" + name, {},
                                      {{"Accept", kAcceptJson}});
      bool gone = response.status == 404;
      if (!gone && response.status < 400) {
        Json current = Json::parse(response.body, nullptr, false);
        gone = member(member(current, "metadata"), "uid") != uid;
      } else if (!gone) {
        return "error when waiting for pod \"" + name + "\" in namespace \"" + ns +
               "\" to terminate: " +
               server_message(server_error(response.status, response.body, "get pods " + name));
      }
      if (gone) {
        ctx_.out << "pod/" << name << (use_eviction_ ? " evicted" : " deleted") << "\n";
        ctx_.out.flush();
        return "";
      }
      if (expired())
        return "error when waiting for pod \"" + name + "\" in namespace \"" + ns +
               "\" to terminate: context deadline exceeded";
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
  }

  void report_pending(const std::string& node, const std::string& error) {
    std::vector<Json> pending;
    try {
      pending = pods_to_evict(verdicts_for(node));
    } catch (const KubectlError&) {
      return;
    }
    if (pending.empty()) return;
    ctx_.out.flush();
    ctx_.err << "There are pending pods in node \"" << node
             << "\" when an error occurred: " << error << "\n";
    for (const auto& pod : pending) ctx_.err << "pod/" << name_of(pod) << "\n";
  }

  bool expired() const { return deadline_ && Clock::now() >= *deadline_; }

  Context& ctx_;
  DrainOptions options_;
  long long grace_period_ = -1;
  std::string dry_run_;
  bool use_eviction_ = true;
  std::string pod_selector_;
  std::string timeout_text_;
  std::optional<Clock::time_point> deadline_;
};

int run_drain(Context& ctx) {
  const std::string dry_run = dry_run_mode(ctx.flags.get_string("dry-run"));
  auto targets = nodes(ctx, "drain");
  Drainer drainer(ctx);  // validates the flags before anything changes
  cordon_all(ctx, targets, true, dry_run);
  std::vector<std::vector<std::string>> fatal;  // per failed node, its errors
  std::vector<std::string> remaining;
  for (const auto& node : targets) {
    std::vector<std::string> errors = drainer.drain(node);
    if (errors.empty()) {
      ctx.out << node.printed_name() << " drained" << dry_run_suffix(dry_run) << "\n";
      ctx.out.flush();
      continue;
    }
    ctx.out.flush();
    ctx.err << "error: unable to drain node \"" << node.name()
            << "\" due to error: " << aggregate_errors(errors) << ", continuing command...\n";
    fatal.push_back(errors);
    remaining.push_back(node.name());
  }
  if (fatal.empty()) return 0;
  ctx.err << "There are pending nodes to be drained:\n";
  for (const auto& name : remaining) ctx.err << " " << name << "\n";
  // kubectl returns an aggregate of the nodes' aggregates: with one failed node its errors are
  // printed one per line as they are, with several each node's aggregate is one line.
  if (fatal.size() == 1) {
    for (const auto& error : fatal[0]) ctx.err << error << "\n";
  } else {
    for (const auto& errors : fatal) ctx.err << aggregate_errors(errors) << "\n";
  }
  return 1;
}

}  // namespace

Command cordon_command() {
  return {"cordon", "Mark node as unschedulable",
          "Usage:\n  kubectl cordon NODE [flags]\n\nExamples:\n  kubectl cordon node-1\n",
          declare_cordon, run_cordon};
}

Command uncordon_command() {
  return {"uncordon", "Mark node as schedulable",
          "Usage:\n  kubectl uncordon NODE [flags]\n\nExamples:\n  kubectl uncordon node-1\n",
          declare_cordon, run_uncordon};
}

Command drain_command() {
  return {"drain", "Drain node in preparation for maintenance",
          "Usage:\n  kubectl drain NODE [flags]\n\n"
          "Examples:\n  kubectl drain node-1 --ignore-daemonsets\n"
          "  kubectl drain node-1 --force --grace-period=30 --timeout=5m\n",
          declare_drain, run_drain};
}

}  // namespace skiff::kubectl
