// `kubectl expose (TYPE NAME | TYPE/NAME)`: makes a Service that selects the pods of a
// Deployment, ReplicaSet, Pod or Service (expose_service.h) and creates it.
#include <optional>

#include "pkg/kubectl/commands.h"
#include "pkg/kubectl/errors.h"
#include "pkg/kubectl/expose_service.h"
#include "pkg/kubectl/json_access.h"
#include "pkg/kubectl/printers.h"
#include "pkg/kubectl/targets.h"

namespace skiff::kubectl {
namespace {

void declare_expose_flags(util::Flags& flags) {
  flags.add_string("port", "", "The port that the service should serve on (default: the object's)");
  flags.add_string("target-port", "",
                   "Name or number of the port on the pods to direct traffic to (default: --port)");
  flags.add_string("protocol", "", "TCP, UDP or SCTP (default: the object's, else TCP)");
  flags.add_string("type", "", "ClusterIP (default), NodePort, LoadBalancer or ExternalName");
  flags.add_string("name", "", "The name of the new Service (default: the object's)");
  flags.add_string("cluster-ip", "", "ClusterIP to ask for; None makes a headless service");
  flags.add_string("selector,l", "", "k=v selector for the Service (default: the object's)");
  flags.add_string("dry-run", "none", "none, client (print only) or server (persist nothing)");
  flags.add_string("output,o", "", "yaml, json or name: print the object instead of a message");
}

bool exposable(const std::string& kind) {
  return kind == "Deployment" || kind == "ReplicaSet" || kind == "Pod" || kind == "Service";
}

int run_expose(Context& ctx) {
  const auto& flags = ctx.flags;
  const std::string dry_run = dry_run_mode(flags.get_string("dry-run"));
  std::optional<OutputSpec> spec;
  if (!flags.get_string("output").empty()) spec = OutputSpec::parse(flags.get_string("output"));
  require_resource_arguments(flags.positional());
  TargetSet targets = fetch_targets(ctx, flags.positional(), false, "");
  if (targets.objects.empty()) {
    print_errors(ctx.err, targets.errors);
    return 1;
  }
  ExposeOptions options{flags.get_string("name"),        flags.get_string("port"),
                        flags.get_string("target-port"), flags.get_string("protocol"),
                        flags.get_string("type"),        flags.get_string("cluster-ip"),
                        flags.get_string("selector"),    ""};
  const ResourceType& services = ctx.discovery().for_kind("v1", "Service");
  for (const auto& target : targets.objects) {
    if (!exposable(target.type.kind))
      throw usage_error("cannot expose a " + target.type.kind +
                        " (deployments, replicasets, pods and services can be exposed)");
    options.namespace_name = target.namespace_name;
    Json service = expose_service(target.object, options);
    if (dry_run != "client") {
      std::string path =
          services.collection_path(target.namespace_name) + "?fieldManager=kubectl-expose";
      if (dry_run == "server") path += "&dryRun=All";
      service = ctx.api().call("POST", path, service, "application/json",
                               "create " + services.qualified());
    }
    if (spec && !spec->human()) {
      ctx.out << render(with_type(service, services), *spec);
    } else {
      ctx.out << "service/" << name_of(service) << " exposed" << dry_run_suffix(dry_run) << "\n";
    }
  }
  print_errors(ctx.err, targets.errors);
  return targets.errors.empty() ? 0 : 1;
}

}  // namespace

Command expose_command() {
  return {
      "expose", "Take a deployment, replica set, pod or service and expose it as a new Service",
      "Usage:\n  kubectl expose (TYPE NAME | TYPE/NAME) [--port=port] [--protocol=TCP|UDP|SCTP] "
      "[--target-port=number-or-name] [--name=name] [--type=type] [flags]\n\n"
      "Examples:\n  kubectl expose deployment web --port=80 --target-port=8080\n"
      "  kubectl expose deploy/web --port=80 --type=NodePort --name=web-np\n"
      "  kubectl expose pod valid-pod --port=444 --name=frontend\n",
      declare_expose_flags, run_expose};
}

}  // namespace skiff::kubectl
