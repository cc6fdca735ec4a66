// `kubectl patch`: reads each named object, sends the patch (strategic merge by default, or a
// JSON merge patch or a JSON patch) and prints "<type>/<name> patched", or "patched (no change)"
// when the server's answer is the object it already had. `--dry-run=client` applies the patch
// here, with the same patch functions the server uses, and sends nothing.
#include "pkg/api/errors.h"
#include "pkg/api/patch.h"
#include "pkg/api/resources.h"
#include "pkg/kubectl/commands.h"
#include "pkg/kubectl/errors.h"
#include "pkg/kubectl/printers.h"
#include "pkg/kubectl/targets.h"
#include "pkg/util/files.h"
#include "pkg/yaml/yaml.h"

namespace skiff::kubectl {
namespace {

void declare_patch_flags(util::Flags& flags) {
  flags.add_string("patch,p", "", "The patch to be applied to the resource JSON file.");
  flags.add_string("patch-file", "", "A file containing a patch to be applied to the resource.");
  flags.add_string("type", "strategic",
                   "The type of patch being provided; one of [json merge strategic]");
  flags.add_string("subresource", "",
                   "If specified, patch will operate on the subresource of the requested "
                   "object (status or scale).");
  flags.add_string("dry-run", "none", "none, client (print only) or server (persist nothing)");
  flags.add_string("output,o", "", "Output format: yaml, json, name, jsonpath=...");
}

struct PatchKind {
  std::string content_type;
  Json (*apply_locally)(const TargetObject& target, const Json& patch);
};

Json merge_locally(const TargetObject& target, const Json& patch) {
  return api::apply_merge_patch(target.object, patch);
}

Json json_patch_locally(const TargetObject& target, const Json& patch) {
  return api::apply_json_patch(target.object, patch);
}

Json strategic_locally(const TargetObject& target, const Json& patch) {
  const api::ResourceInfo* info =
      api::find_resource(target.type.group, target.type.version, target.type.plural);
  if (info == nullptr)
    throw usage_error("strategic merge patch is not supported for " + target.type.qualified() +
                      " locally; use --type merge or json");
  return api::apply_strategic_merge_patch(*info, target.object, patch);
}

PatchKind patch_kind(const std::string& type) {
  if (type == "strategic") return {"application/strategic-merge-patch+json", strategic_locally};
  if (type == "merge") return {"application/merge-patch+json", merge_locally};
  if (type == "json") return {"application/json-patch+json", json_patch_locally};
  throw usage_error("--type must be one of [json merge strategic], not \"" + type + "\"");
}

// The patch text and where it came from; kubectl checks that exactly one was given before it
// looks at --type, and parses the text only after that.
struct PatchText {
  std::string text;
  std::string source;
};

PatchText patch_text(const util::Flags& flags) {
  const std::string inline_patch = flags.get_string("patch");
  const std::string file = flags.get_string("patch-file");
  if (!inline_patch.empty() && !file.empty())
    throw usage_error("cannot specify --patch and --patch-file together");
  if (inline_patch.empty() && file.empty())
    throw usage_error("must specify --patch or --patch-file containing the contents of the patch");
  if (file.empty()) return {inline_patch, "--patch"};
  auto content = util::read_file(file);
  if (!content)
    throw usage_error("unable to read patch file: open " + file + ": no such file or directory");
  return {std::move(*content), file};
}

// The patch as JSON: kubectl accepts JSON or YAML in -p and in --patch-file.
Json parse_patch(const PatchText& patch) {
  std::vector<Json> documents;
  try {
    documents = yaml::parse_documents(patch.text, patch.source);
  } catch (const std::exception& error) {
    throw usage_error("unable to parse \"" + patch.text + "\": " + error.what());
  }
  if (documents.size() != 1 || !(documents[0].is_object() || documents[0].is_array()))
    throw usage_error("unable to parse \"" + patch.text +
                      "\": the patch must be one JSON or YAML object (a list for --type json)");
  return documents[0];
}

int run_patch(Context& ctx) {
  const auto& flags = ctx.flags;
  const PatchText text = patch_text(flags);
  const PatchKind kind = patch_kind(flags.get_string("type"));
  const Json patch = parse_patch(text);
  const std::string subresource = flags.get_string("subresource");
  if (!subresource.empty() && subresource != "status" && subresource != "scale")
    throw usage_error("invalid subresource value: \"" + subresource +
                      "\". Must be one of [status scale]");
  const std::string dry_run = dry_run_mode(flags.get_string("dry-run"));
  if (dry_run == "client" && !subresource.empty())
    throw usage_error("--dry-run=client cannot be used with --subresource");
  const OutputSpec output = OutputSpec::parse(flags.get_string("output"));
  require_resource_arguments(flags.positional());

  TargetSet targets = fetch_targets(ctx, flags.positional(), false, "");
  if (targets.objects.empty() && targets.errors.empty())
    throw usage_error("no objects passed to patch");
  for (const auto& target : targets.objects) {
    Json patched;
    if (dry_run == "client") {
      try {
        patched = kind.apply_locally(target, patch);
      } catch (const api::ApiError& error) {
        targets.errors.push_back("error: " + std::string(error.what()));
        continue;
      }
    } else {
      const std::string path = target.path() + (subresource.empty() ? "" : "/" + subresource);
      const std::string operation = "patch " + target.type.qualified() + " " + target.name();
      try {
        patched = ctx.api().call("PATCH", with_dry_run(path, dry_run), patch, kind.content_type,
                                 operation);
      } catch (const ServerError& error) {
        targets.errors.push_back(error.what());
        continue;
      }
    }
    if (output.format == OutputSpec::Format::Name) {
      ctx.out << target.printed_name() << "\n";
    } else if (!output.human()) {
      ctx.out << render(with_type(patched, target.type), output);
    } else {
      // A patch that changes nothing is not written: the server answers with what it had.
      // kubectl 1.32's patch does not mark dry runs in this line (other commands do).
      const bool changed = subresource == "scale" || patched != target.object;
      ctx.out << target.printed_name() << (changed ? " patched" : " patched (no change)") << "\n";
    }
    ctx.out.flush();
  }
  print_errors(ctx.err, targets.errors);
  return targets.errors.empty() ? 0 : 1;
}

}  // namespace

Command patch_command() {
  return {"patch", "Update fields of a resource",
          "Usage:\n  kubectl patch (TYPE NAME | TYPE/NAME) [-p PATCH|--patch-file FILE] "
          "[flags]\n\n"
          "Examples:\n  kubectl patch node k8s-node-1 -p '{\"spec\":{\"unschedulable\":true}}'\n"
          "  kubectl patch deployment web -p "
          "'{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"web\",\"image\":"
          "\"nginx:1.27\"}]}}}}'\n"
          "  kubectl patch configmap settings --type merge -p '{\"data\":{\"mode\":\"fast\"}}'\n"
          "  kubectl patch pod web --type json -p "
          "'[{\"op\":\"replace\",\"path\":\"/spec/containers/0/image\",\"value\":\"busybox\"}]'\n"
          "  kubectl patch deployment web --subresource scale --type merge -p "
          "'{\"spec\":{\"replicas\":2}}'\n",
          declare_patch_flags, run_patch};
}

}  // namespace skiff::kubectl
