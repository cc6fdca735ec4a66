#pragma once
// The objects a write command (scale, rollout, set, cordon, drain) works on, found the way
// kubectl's resource builder finds them: TYPE NAME..., TYPE/NAME..., or TYPE with a label
// selector / --all; and how such commands report several errors at the end.
#include <iosfwd>
#include <string>
#include <vector>

#include "pkg/api/json.h"
#include "pkg/kubectl/context.h"
#include "pkg/kubectl/discovery.h"
#include "pkg/kubectl/errors.h"

namespace skiff::kubectl {

struct TargetObject {
  ResourceType type;
  std::string namespace_name;  // "" for cluster-scoped types
  Json object;                 // as read from the server, with kind/apiVersion set

  std::string name() const;
  // "deployment.apps/web" (what kubectl's name printer shows before the operation).
  std::string printed_name() const { return type.name_prefix() + "/" + name(); }
  std::string path() const { return type.object_path(namespace_name, name()); }
};

struct TargetSet {
  std::vector<TargetObject> objects;
  // Objects that could not be read, as kubectl prints them ("Error from server (NotFound):
  // deployments.apps \"x\" not found") and as bare messages (`deployments.apps "x" not found`).
  std::vector<std::string> errors;
  std::vector<std::string> messages;
};

// Reads the objects `args` name. A bare TYPE lists the namespace (filtered by
// `label_selector`) only when `allow_listing` or a selector is given; otherwise it throws
// "resource(s) were provided, but no name was specified". Unreadable named objects do not stop
// the others (kubectl's ContinueOnError); listing failures throw.
TargetSet fetch_targets(Context& ctx, const std::vector<std::string>& args, bool allow_listing,
                        const std::string& label_selector);

// Throws kubectl's usage error for a write command given no TYPE NAME, TYPE/NAME or TYPE.
void require_resource_arguments(const std::vector<std::string>& args);

// Prints a command's errors the way kubectl's CheckErr prints an aggregate: a single error
// gets "error: " unless it is already worded ("error: ...", "Error from server ..."); several
// are printed one per line as they are.
void print_errors(std::ostream& err, const std::vector<std::string>& errors);

// Several error texts as Go's aggregate error words them: one alone as itself, more as
// "[a, b]".
std::string aggregate_errors(const std::vector<std::string>& errors);

// The message of a server error without kubectl's "Error from server (Reason): " prefix (Go's
// err.Error()), for the commands that wrap it ("failed to patch: <message>").
std::string server_message(const ServerError& error);

// Appends `?dryRun=All` (or `&dryRun=All`) to `path` when `dry_run` is "server".
std::string with_dry_run(const std::string& path, const std::string& dry_run);

// Validates --dry-run: "none", "client" or "server" ("true"/"false" as kubectl's deprecated
// spellings of client/none).
std::string dry_run_mode(const std::string& flag_value);

}  // namespace skiff::kubectl
