// `kubectl scale`: sets spec.replicas through the scale subresource. Without preconditions it
// sends a merge patch to .../scale; with --current-replicas or --resource-version it reads the
// Scale, checks it and PUTs it back (kubectl's ScalePrecondition), retrying on conflicts.
#include <chrono>
#include <thread>

#include "pkg/kubectl/commands.h"
#include "pkg/kubectl/errors.h"
#include "pkg/kubectl/json_access.h"
#include "pkg/kubectl/targets.h"

namespace skiff::kubectl {
namespace {

using std::chrono::steady_clock;

void declare_scale_flags(util::Flags& flags) {
  flags.add_int("replicas", -1, "The new desired number of replicas. Required.");
  flags.add_int("current-replicas", -1,
                "Precondition for current size: scale only if it is this (-1: no condition)");
  flags.add_string("resource-version", "",
                   "Precondition for resource version: scale only if it is this");
  flags.add_string("timeout", "0",
                   "How long to wait until the status reaches the new size (0: do not wait)");
  flags.add_string("selector,l", "", "Scale the objects matching this label selector");
  flags.add_bool("all", false, "Scale all objects of the type in the namespace");
  flags.add_string("dry-run", "none", "none, client (print only) or server (persist nothing)");
  flags.add_string("output,o", "", "name: print resource/name only");
}

struct Precondition {
  long long replicas = -1;       // -1: none
  std::string resource_version;  // "": none
  bool any() const { return replicas != -1 || !resource_version.empty(); }
};

// kubectl's PreconditionError text, or "" when the Scale satisfies `precondition`.
std::string precondition_failure(const Json& scale, const Precondition& precondition) {
  long long current = member(member(scale, "spec"), "replicas").is_number_integer()
                          ? member(member(scale, "spec"), "replicas").get<long long>()
                          : 0;
  if (precondition.replicas != -1 && current != precondition.replicas)
    return "Expected replicas to be " + std::to_string(precondition.replicas) + ", was " +
           std::to_string(current);
  std::string rv = member(member(scale, "metadata"), "resourceVersion").is_string()
                       ? member(member(scale, "metadata"), "resourceVersion").get<std::string>()
                       : "";
  if (!precondition.resource_version.empty() && rv != precondition.resource_version)
    return "Expected resource version to be " + precondition.resource_version + ", was " + rv;
  return "";
}

// One attempt; throws ServerError (a 409 is retried by the caller) or KubectlError.
void scale_once(Context& ctx, const TargetObject& target, long long replicas,
                const Precondition& precondition, const std::string& dry_run) {
  const std::string scale_path = target.path() + "/scale";
  const std::string operation = "scale " + target.type.qualified() + " " + target.name();
  if (!precondition.any()) {
    ctx.api().call("PATCH", with_dry_run(scale_path, dry_run),
                   Json{{"spec", {{"replicas", replicas}}}}, "application/merge-patch+json",
                   operation);
    return;
  }
  Json scale = ctx.api().get(scale_path, operation);
  if (auto failure = precondition_failure(scale, precondition); !failure.empty())
    throw usage_error(failure);
  scale["spec"]["replicas"] = replicas;
  ctx.api().call("PUT", with_dry_run(scale_path, dry_run), scale, "application/json", operation);
}

// kubectl retries conflicts every second for up to five minutes.
void scale_with_retry(Context& ctx, const TargetObject& target, long long replicas,
                      const Precondition& precondition, const std::string& dry_run) {
  const auto deadline = steady_clock::now() + std::chrono::minutes(5);
  while (true) {
    try {
      scale_once(ctx, target, replicas, precondition, dry_run);
      return;
    } catch (const ServerError& e) {
      if (e.reason() != "Conflict" || steady_clock::now() >= deadline) throw;
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
}

// --timeout: polls the Scale each second (as kubectl does) until its status caught up, or
// someone else changed the desired size.
void wait_for_replicas(Context& ctx, const TargetObject& target, long long replicas,
                       std::chrono::milliseconds timeout) {
  const auto deadline = steady_clock::now() + timeout;
  const std::string operation = "get " + target.type.qualified() + " " + target.name();
  while (true) {
    Json scale = ctx.api().get(target.path() + "/scale", operation);
    const Json& spec = member(scale, "spec");
    const Json& status = member(scale, "status");
    long long desired = member(spec, "replicas").is_number_integer()
                            ? member(spec, "replicas").get<long long>()
                            : 0;
    long long current = member(status, "replicas").is_number_integer()
                            ? member(status, "replicas").get<long long>()
                            : 0;
    if (desired != replicas || current == replicas) return;
    if (steady_clock::now() + std::chrono::seconds(1) > deadline)
      throw usage_error("timed out waiting for \"" + target.name() + "\" to be synced");
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
}

int run_scale(Context& ctx) {
  const auto& flags = ctx.flags;
  if (!flags.was_set("replicas")) throw usage_error("required flag(s) \"replicas\" not set");
  const long long replicas = flags.get_int("replicas");
  if (replicas < 0)
    throw usage_error(
        "The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0");
  Precondition precondition{flags.get_int("current-replicas"),
                            flags.get_string("resource-version")};
  if (precondition.replicas < -1)
    throw usage_error("The --current-replicas must specify an integer of -1 or greater");
  const std::string dry_run = dry_run_mode(flags.get_string("dry-run"));
  const auto timeout = parse_duration(flags.get_string("timeout"), "--timeout");
  const std::string output = flags.get_string("output");
  if (!output.empty() && output != "name")
    throw usage_error("unable to match a printer suitable for the output format \"" + output +
                      "\", allowed formats are: name");
  require_resource_arguments(flags.positional());

  TargetSet targets =
      fetch_targets(ctx, flags.positional(), flags.get_bool("all"), flags.get_string("selector"));
  if (!precondition.resource_version.empty() && targets.objects.size() > 1)
    throw usage_error("cannot use --resource-version with multiple resources");
  if (targets.objects.empty()) {
    if (targets.messages.empty()) throw usage_error("no objects passed to scale");
    throw usage_error("no objects passed to scale " + aggregate_errors(targets.messages));
  }
  for (const auto& target : targets.objects) {
    if (dry_run != "client") {
      scale_with_retry(ctx, target, replicas, precondition, dry_run);
      if (timeout.count() > 0 && dry_run == "none")
        wait_for_replicas(ctx, target, replicas, timeout);
    }
    ctx.out << target.printed_name()
            << (output == "name" ? "" : " scaled" + dry_run_suffix(dry_run)) << "\n";
    ctx.out.flush();
  }
  print_errors(ctx.err, targets.errors);
  return targets.errors.empty() ? 0 : 1;
}

}  // namespace

Command scale_command() {
  return {"scale", "Set a new size for a deployment or replica set",
          "Usage:\n  kubectl scale [--resource-version=version] [--current-replicas=count] "
          "--replicas=COUNT (TYPE NAME | TYPE/NAME) [flags]\n\n"
          "Examples:\n  kubectl scale --replicas=3 deployment/web\n"
          "  kubectl scale --current-replicas=2 --replicas=3 deployment web\n"
          "  kubectl scale --replicas=5 rs/web-6d4b7c9f8\n",
          declare_scale_flags, run_scale};
}

}  // namespace skiff::kubectl
