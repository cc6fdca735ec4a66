// `kubectl set image (TYPE NAME | TYPE/NAME) CONTAINER=IMAGE ...`: a strategic-merge patch of
// the pod template's containers (field manager kubectl-set). Objects whose images are already
// right are left alone and not printed, as kubectl does.
#include <ostream>

#include "pkg/kubectl/commands.h"
#include "pkg/kubectl/errors.h"
#include "pkg/kubectl/image_update.h"
#include "pkg/kubectl/targets.h"

namespace skiff::kubectl {
namespace {

void declare_set_flags(util::Flags& flags) {
  flags.add_string("selector,l", "", "Update the objects matching this label selector");
  flags.add_bool("all", false, "Update all objects of the type in the namespace");
  flags.add_string("dry-run", "none", "none, client (print only) or server (persist nothing)");
  flags.add_string("output,o", "", "name: print resource/name only");
}

const char* const kSetUsage =
    "Usage:\n  kubectl set image (TYPE NAME | TYPE/NAME) CONTAINER_NAME_1=CONTAINER_IMAGE_1 ... "
    "CONTAINER_NAME_N=CONTAINER_IMAGE_N [flags]\n\n"
    "Examples:\n  kubectl set image deployment/web web=nginx:1.27\n"
    "  kubectl set image deployment web '*=busybox:1.36'\n";

int run_image(Context& ctx, const std::vector<std::string>& args) {
  const auto& flags = ctx.flags;
  ImageArgs parsed = parse_image_args(args);
  // kubectl finds the objects before it validates the rest, so a missing resource is reported
  // as the resource builder words it.
  require_resource_arguments(parsed.resources);
  std::vector<std::string> invalid;
  if (flags.get_bool("all") && !flags.get_string("selector").empty())
    invalid.push_back("cannot set --all and --selector at the same time");
  bool wildcard = false;
  for (const auto& [container, image] : parsed.images) wildcard = wildcard || container == "*";
  if (parsed.images.empty())
    invalid.push_back("at least one image update is required");
  else if (parsed.images.size() > 1 && wildcard)
    invalid.push_back(
        "all containers are already specified by *, but saw more than one "
        "container_name=container_image pairs");
  if (!invalid.empty()) {
    print_errors(ctx.err, invalid);
    return 1;
  }
  const std::string dry_run = dry_run_mode(flags.get_string("dry-run"));
  const bool name_only = flags.get_string("output") == "name";
  TargetSet found =
      fetch_targets(ctx, parsed.resources, flags.get_bool("all"), flags.get_string("selector"));
  std::vector<std::string> errors = found.errors;
  for (const auto& target : found.objects) {
    ImagePatch update = image_patch(target.object, parsed.images);
    for (const auto& error : update.errors) errors.push_back("error: " + error);
    if (update.patch.empty()) continue;  // nothing to change: kubectl prints nothing
    if (dry_run != "client") {
      try {
        ctx.api().call("PATCH", with_dry_run(target.path() + "?fieldManager=kubectl-set", dry_run),
                       update.patch, "application/strategic-merge-patch+json",
                       "patch " + target.type.qualified() + " " + target.name());
      } catch (const ServerError& e) {
        errors.push_back("failed to patch image update to pod template: " + server_message(e));
        continue;
      }
    }
    ctx.out << target.printed_name()
            << (name_only ? "" : " image updated" + dry_run_suffix(dry_run)) << "\n";
  }
  ctx.out.flush();
  print_errors(ctx.err, errors);
  return errors.empty() ? 0 : 1;
}

int run_set(Context& ctx) {
  const auto& positional = ctx.flags.positional();
  if (positional.empty()) {
    ctx.err << "Configure application resources.\n\n" << kSetUsage;
    return 1;
  }
  const std::string sub = positional[0];
  if (sub != "image")
    throw usage_error("unknown command \"" + sub +
                      "\" for \"kubectl set\"\nSee 'kubectl set -h' for help and examples");
  return run_image(ctx, std::vector<std::string>(positional.begin() + 1, positional.end()));
}

}  // namespace

Command set_command() {
  return {"set", "Set specific features on objects (set image)", kSetUsage, declare_set_flags,
          run_set};
}

}  // namespace skiff::kubectl
