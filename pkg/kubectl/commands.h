#pragma once
// The command table of `skiff kubectl`. Each command family lives in its own cmd_*.cpp and
// exposes one factory here.
#include <string>
#include <vector>

#include "pkg/kubectl/context.h"
#include "pkg/util/flags.h"

namespace skiff::kubectl {

struct Command {
  std::string name;
  std::string summary;
  std::string usage;  // "Usage:" and "Examples:" text shown by --help, before the flags
  void (*declare)(util::Flags& flags);
  int (*run)(Context& context);
};

Command get_command();
Command apply_command();
Command describe_command();
Command delete_command();
Command create_command();
Command api_resources_command();
Command version_command();
Command scale_command();
Command rollout_command();
Command set_command();
Command cordon_command();
Command uncordon_command();
Command drain_command();
Command expose_command();
Command logs_command();
Command exec_command();
Command patch_command();

const std::vector<Command>& all_commands();

// The suffix kubectl prints after a result word for --dry-run=client|server ("" otherwise).
std::string dry_run_suffix(const std::string& mode);

}  // namespace skiff::kubectl
