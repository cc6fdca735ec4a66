#pragma once
// The parts of `get` shared with its watch mode and other commands: turning arguments into
// (type, names) requests and fetching tables or objects for them.
#include <string>
#include <vector>

#include "pkg/api/json.h"
#include "pkg/kubectl/context.h"
#include "pkg/kubectl/discovery.h"
#include "pkg/kubectl/printers.h"
#include "pkg/kubectl/resource_builder.h"

namespace skiff::kubectl {

struct GetRequest {
  ResourceType type;
  std::vector<std::string> names;  // empty: the whole collection
  bool from_all = false;           // expanded from `all` (names are printed type-qualified)
};

struct ListOptions {
  std::string label_selector;
  std::string field_selector;
};

// "TYPE", "TYPE NAME...", "TYPE/NAME...", "TYPE1,TYPE2", "all". Throws KubectlError for
// missing or unknown types.
std::vector<GetRequest> parse_get_args(Context& ctx, const std::vector<std::string>& args);
// One request per object named in manifests (kind + metadata.name).
std::vector<GetRequest> requests_from_manifests(Context& ctx,
                                                const std::vector<ManifestObject>& manifests);

// The namespace a manifest object goes to: its own, else the context's; throws when it
// contradicts an explicit -n.
std::string manifest_namespace(Context& ctx, const Json& object);

// A Table for `request` (named objects merged into one). Per-object errors are printed to
// ctx.err and set `failed`; NotFound is skipped silently when `ignore_not_found`.
Json fetch_table(Context& ctx, const GetRequest& request, const std::string& ns,
                 const ListOptions& list, bool ignore_not_found, bool& failed);
// The objects for `request`, each with kind/apiVersion set.
std::vector<Json> fetch_objects(Context& ctx, const GetRequest& request, const std::string& ns,
                                const ListOptions& list, bool ignore_not_found, bool& failed);

// A Table from whatever the server answered (a Table, a list, or one object).
Json as_table(const Json& response);

struct WatchOptions {
  OutputSpec output;
  bool all_namespaces = false;
  bool show_labels = false;
  bool no_headers = false;
  bool watch_only = false;
};

// `get -w`: prints the current state (unless watch_only) and then one line/object per change
// until the server ends the stream. Returns the exit code.
int watch_resources(Context& ctx, const GetRequest& request, const std::string& ns,
                    const ListOptions& list, const WatchOptions& options);

}  // namespace skiff::kubectl
