// `kubectl rollout status|history|undo|restart|pause|resume` for Deployments. The decisions
// (status text, history, which ReplicaSet undo restores) are pure functions in
// rollout_status.h and deployment_history.h; this file reads and patches objects and prints.
#include <ctime>
#include <functional>
#include <ostream>

#include "pkg/api/selectors.h"
#include "pkg/kubectl/commands.h"
#include "pkg/kubectl/deployment_history.h"
#include "pkg/kubectl/errors.h"
#include "pkg/kubectl/json_access.h"
#include "pkg/kubectl/pod_template_text.h"
#include "pkg/kubectl/query.h"
#include "pkg/kubectl/rollout_watch.h"
#include "pkg/kubectl/targets.h"

namespace skiff::kubectl {
namespace {

constexpr const char* kStrategicMerge = "application/strategic-merge-patch+json";
constexpr const char* kFieldManager = "?fieldManager=kubectl-rollout";

void declare_rollout_flags(util::Flags& flags) {
  flags.add_bool("watch,w", true, "status: watch the rollout until it is done (false: once)");
  flags.add_int("revision", 0, "status: the revision to expect; history: show this revision");
  flags.add_string("timeout", "0", "status: how long to wait (0: forever), e.g. 30s, 5m");
  flags.add_int("to-revision", 0, "undo: the revision to roll back to (0: the previous one)");
  flags.add_string("selector,l", "", "Work on the objects matching this label selector");
  flags.add_string("dry-run", "none", "undo: none, client (print the template) or server");
}

// Flags each subcommand accepts besides the selector (kubectl has one flag set per subcommand).
bool flag_allowed(const std::string& sub, const std::string& flag) {
  if (flag == "selector") return true;
  if (flag == "watch" || flag == "timeout") return sub == "status";
  if (flag == "revision") return sub == "status" || sub == "history";
  if (flag == "to-revision") return sub == "undo";
  if (flag == "dry-run") return sub == "undo";
  return true;
}

bool is_deployment(const TargetObject& target) {
  return target.type.group == "apps" && target.type.kind == "Deployment";
}

// kubectl's GroupKind text: "ReplicaSet.apps", "Pod".
std::string group_kind(const ResourceType& type) {
  return type.group.empty() ? type.kind : type.kind + "." + type.group;
}

// Local time in RFC 3339 with the zone offset, like Go's time.Now().Format(time.RFC3339).
std::string now_rfc3339_local() {
  std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &local);
  long offset = local.tm_gmtoff;
  if (offset == 0) return std::string(text) + "Z";
  const long minutes = (offset < 0 ? -offset : offset) / 60;
  auto two_digits = [](long value) {
    return std::string(value < 10 ? "0" : "") + std::to_string(value);
  };
  return std::string(text) + (offset < 0 ? "-" : "+") + two_digits(minutes / 60) + ":" +
         two_digits(minutes % 60);
}

TargetSet targets(Context& ctx, const std::vector<std::string>& args) {
  if (args.empty()) throw usage_error("required resource not specified");
  return fetch_targets(ctx, args, true, ctx.flags.get_string("selector"));
}

// Ends a command: the objects that could not be read, then the command's own errors, printed
// as kubectl prints an aggregate error.
int finish(Context& ctx, const TargetSet& found, const std::vector<std::string>& errors) {
  ctx.out.flush();
  std::vector<std::string> all = found.errors;
  all.insert(all.end(), errors.begin(), errors.end());
  print_errors(ctx.err, all);
  return all.empty() ? 0 : 1;
}

// --- restart, pause, resume: one strategic-merge patch each ---

// Builds the patch for one object, or sets `error` (the whole text kubectl prints).
using PatchBuilder = std::function<Json(const TargetObject&, std::string& error)>;

// kubectl's wording for a patch it refused to build: `error: deployments.apps "web" <what>`.
std::string object_error(const TargetObject& target, const std::string& what) {
  return "error: " + target.type.qualified() + " \"" + target.name() + "\" " + what;
}

int patch_each(Context& ctx, const std::vector<std::string>& args, const PatchBuilder& build,
               const std::string& done_word) {
  TargetSet found = targets(ctx, args);
  std::vector<std::string> errors;
  for (const auto& target : found.objects) {
    std::string error;
    Json patch = build(target, error);
    if (!error.empty()) {
      errors.push_back(error);
      continue;
    }
    try {
      ctx.api().call("PATCH", target.path() + kFieldManager, patch, kStrategicMerge,
                     "patch " + target.type.qualified() + " " + target.name());
    } catch (const ServerError& e) {
      errors.push_back("failed to patch: " + server_message(e));
      continue;
    }
    ctx.out << target.printed_name() << " " << done_word << "\n";
  }
  return finish(ctx, found, errors);
}

bool paused(const TargetObject& target) {
  const Json& value = member(member(target.object, "spec"), "paused");
  return value.is_boolean() && value.get<bool>();
}

int run_restart(Context& ctx, const std::vector<std::string>& args) {
  const std::string now = now_rfc3339_local();
  return patch_each(
      ctx, args,
      [&](const TargetObject& target, std::string& error) -> Json {
        if (!is_deployment(target)) {
          error = object_error(target, "restarting is not supported");
          return nullptr;
        }
        if (paused(target)) {
          error =
              object_error(target, "can't restart paused deployment (run rollout resume first)");
          return nullptr;
        }
        const Json& current = member(
            member(member(member(target.object, "spec"), "template"), "metadata"), "annotations");
        if (member(current, "kubectl.kubernetes.io/restartedAt") == now) {
          error = "failed to create patch for " + target.name() +
                  ": if restart has already been triggered within the past second, please "
                  "wait before attempting to trigger another";
          return nullptr;
        }
        return {
            {"spec",
             {{"template",
               {{"metadata", {{"annotations", {{"kubectl.kubernetes.io/restartedAt", now}}}}}}}}}};
      },
      "restarted");
}

int run_pause_or_resume(Context& ctx, const std::vector<std::string>& args, bool pause) {
  return patch_each(
      ctx, args,
      [&](const TargetObject& target, std::string& error) -> Json {
        if (!is_deployment(target)) {
          error = object_error(target,
                               pause ? "pausing is not supported" : "resuming is not supported");
          return nullptr;
        }
        if (paused(target) == pause) {
          error = object_error(target, pause ? "is already paused" : "is not paused");
          return nullptr;
        }
        return {{"spec", {{"paused", pause ? Json(true) : Json(nullptr)}}}};
      },
      pause ? "paused" : "resumed");
}

// --- history and undo: the ReplicaSets a Deployment controls ---

std::vector<Json> owned_replicasets(Context& ctx, const TargetObject& deployment) {
  std::string selector;
  const Json& spec_selector = member(member(deployment.object, "spec"), "selector");
  try {
    selector = api::LabelSelector::from_json(spec_selector).to_string();
  } catch (const std::exception& e) {
    throw usage_error("invalid label selector on deployment " + deployment.name() + ": " +
                      e.what());
  }
  Json list = ctx.api().get("/apis/apps/v1/namespaces/" + deployment.namespace_name +
                                "/replicasets" + query_string({{"labelSelector", selector}}),
                            "list replicasets.apps");
  const Json& uid = member(member(deployment.object, "metadata"), "uid");
  return controlled_replicasets(member(list, "items"),
                                uid.is_string() ? uid.get<std::string>() : "");
}

int run_history(Context& ctx, const std::vector<std::string>& args) {
  const long long revision = ctx.flags.get_int("revision");
  if (revision < 0)
    throw usage_error("revision must be a positive integer: " + std::to_string(revision));
  TargetSet found = targets(ctx, args);
  for (const auto& target : found.objects) {
    if (!is_deployment(target))
      throw usage_error("no history viewer has been implemented for \"" + group_kind(target.type) +
                        "\"");
    auto history = revision_templates(owned_replicasets(ctx, target));
    std::string info = history_table(history);
    if (revision > 0 && !history.empty()) {
      auto it = history.find(revision);
      if (it == history.end()) throw usage_error("unable to find the specified revision");
      info = pod_template_text(it->second);
    }
    // kubectl's name printer: "<name> <operation>\n", the operation being
    // "[with revision #N]\n<history>".
    std::string with_revision = revision > 0 ? "with revision #" + std::to_string(revision) : "";
    ctx.out << target.printed_name() << " " << with_revision << "\n" << info << "\n";
  }
  return finish(ctx, found, {});
}

int run_undo(Context& ctx, const std::vector<std::string>& args) {
  const long long to_revision = ctx.flags.get_int("to-revision");
  const std::string dry_run = dry_run_mode(ctx.flags.get_string("dry-run"));
  TargetSet found = targets(ctx, args);
  for (const auto& target : found.objects) {
    if (!is_deployment(target))
      throw usage_error("no rollbacker has been implemented for \"" + group_kind(target.type) +
                        "\"");
    Json deployment = ctx.api().get(target.path(), "get deployments.apps " + target.name());
    Json replicaset = rollback_target(owned_replicasets(ctx, target), to_revision, target.name());
    const Json& rs_template = member(member(replicaset, "spec"), "template");
    if (dry_run == "client") {
      ctx.out << target.printed_name() << " " << pod_template_text(rs_template) << " (dry run)\n";
      continue;
    }
    if (member(member(deployment, "spec"), "paused") == true)
      throw usage_error(
          "you cannot rollback a paused deployment; resume it first with 'kubectl rollout "
          "resume' and try again");
    if (same_template_ignoring_hash(rs_template, member(member(deployment, "spec"), "template"))) {
      ctx.out << target.printed_name() << " skipped rollback (current template already matches "
              << "revision " << to_revision << ")" << dry_run_suffix(dry_run) << "\n";
      continue;
    }
    try {
      ctx.api().call("PATCH", with_dry_run(target.path(), dry_run),
                     rollback_patch(deployment, replicaset), "application/json-patch+json",
                     "patch deployments.apps " + target.name());
    } catch (const ServerError& e) {
      throw usage_error("failed restoring revision " + std::to_string(to_revision) + ": " +
                        server_message(e));
    }
    ctx.out << target.printed_name() << " rolled back" << dry_run_suffix(dry_run) << "\n";
  }
  return finish(ctx, found, {});
}

int run_status(Context& ctx, const std::vector<std::string>& args) {
  RolloutWatchOptions options;
  options.revision = ctx.flags.get_int("revision");
  if (options.revision < 0)
    throw usage_error("revision must be a positive integer: " + std::to_string(options.revision));
  options.watch = ctx.flags.get_bool("watch");
  options.timeout = parse_duration(ctx.flags.get_string("timeout"), "--timeout");
  TargetSet set = targets(ctx, args);
  if (!set.errors.empty()) throw KubectlError(set.errors[0]);
  const auto& found = set.objects;
  if (found.size() != 1)
    throw usage_error(
        "rollout status is only supported on individual resources and resource collections - " +
        std::to_string(found.size()) + " resources were found");
  if (!is_deployment(found[0]))
    throw usage_error("no status viewer has been implemented for " + group_kind(found[0].type));
  return watch_rollout_status(ctx, found[0], options);
}

const char* const kRolloutUsage =
    "Usage:\n  kubectl rollout SUBCOMMAND (TYPE NAME | TYPE/NAME) [flags]\n\n"
    "Subcommands:\n"
    "  history     View rollout history\n"
    "  pause       Mark the provided resource as paused\n"
    "  restart     Restart a resource\n"
    "  resume      Resume a paused resource\n"
    "  status      Show the status of the rollout\n"
    "  undo        Undo a previous rollout\n\n"
    "Examples:\n  kubectl rollout status deployment/web --timeout=2m\n"
    "  kubectl rollout undo deployment/web --to-revision=2\n"
    "  kubectl rollout history deployment/web --revision=3\n";

int run_rollout(Context& ctx) {
  const auto& positional = ctx.flags.positional();
  if (positional.empty()) {
    ctx.err << "Manage the rollout of one or many resources.\n\n" << kRolloutUsage;
    return 1;
  }
  const std::string sub = positional[0];
  const std::vector<std::string> args(positional.begin() + 1, positional.end());
  for (const char* flag : {"watch", "revision", "timeout", "to-revision", "dry-run"})
    if (ctx.flags.was_set(flag) && !flag_allowed(sub, flag))
      throw KubectlError(std::string("Error: unknown flag: --") + flag + "\nSee 'kubectl rollout " +
                         sub + " --help' for usage.");
  if (sub == "status") return run_status(ctx, args);
  if (sub == "history") return run_history(ctx, args);
  if (sub == "undo") return run_undo(ctx, args);
  if (sub == "restart") return run_restart(ctx, args);
  if (sub == "pause") return run_pause_or_resume(ctx, args, true);
  if (sub == "resume") return run_pause_or_resume(ctx, args, false);
  throw usage_error("unknown command \"" + sub +
                    "\"\nSee 'kubectl rollout -h' for help and examples");
}

}  // namespace

Command rollout_command() {
  return {"rollout", "Manage the rollout of a resource", kRolloutUsage, declare_rollout_flags,
          run_rollout};
}

}  // namespace skiff::kubectl
