// `skiff kubectl`: finds the command word among the arguments, parses global and command
// flags together (so they may come before or after the command, as in kubectl), runs the
// command and turns errors into kubectl-style messages and exit code 1.
#include "pkg/kubectl/kubectl.h"

#include <iostream>
#include <set>

#include "pkg/kubectl/commands.h"
#include "pkg/kubectl/errors.h"
#include "pkg/yaml/yaml.h"

namespace skiff::kubectl {
namespace {

// Short flags that take a value, so "-oyaml" / "-nkube-system" can be split like kubectl does.
const std::set<char> kShortValueFlags = {'o', 'n', 'l', 'f', 's', 'c'};
// Global flags taking a value, skipped while looking for the command word.
const std::set<std::string> kGlobalValueFlags = {
    "--kubeconfig", "--server",          "-s",      "--context", "--namespace",
    "-n",           "--request-timeout", "--token", "--v",       "-v"};

std::vector<std::string> normalise(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  bool after_dashes = false;  // `exec POD -- ls -la` passes "-la" on untouched
  for (const auto& arg : args) {
    if (arg == "--") after_dashes = true;
    if (!after_dashes && arg.size() > 2 && arg[0] == '-' && arg[1] != '-' &&
        kShortValueFlags.count(arg[1]) && arg[2] != '=') {
      out.push_back(arg.substr(0, 2));
      out.push_back(arg.substr(2));
    } else {
      out.push_back(arg);
    }
  }
  return out;
}

std::string top_usage() {
  std::string text = "skiff kubectl controls a skiff (or any Kubernetes) cluster.\n\nCommands:\n";
  for (const auto& command : all_commands()) {
    text += "  " + command.name +
            std::string(command.name.size() < 15 ? 15 - command.name.size() : 1, ' ') +
            command.summary + "\n";
  }
  util::Flags globals;
  add_global_flags(globals);
  text += "\nGlobal flags:\n" + globals.usage() +
          "\nUsage:\n  kubectl [flags] COMMAND [options]\n\nUse \"kubectl COMMAND --help\" for "
          "more information about a command.\n";
  return text;
}

}  // namespace

const std::vector<Command>& all_commands() {
  static const std::vector<Command> commands = {
      get_command(),     describe_command(),      apply_command(),    create_command(),
      delete_command(),  patch_command(),         scale_command(),    rollout_command(),
      set_command(),     cordon_command(),        uncordon_command(), drain_command(),
      expose_command(),  api_resources_command(), logs_command(),     exec_command(),
      version_command(),
  };
  return commands;
}

int kubectl_command(const std::vector<std::string>& raw_args) {
  std::vector<std::string> args = normalise(raw_args);
  std::size_t verb_index = args.size();
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") break;
    if (!arg.starts_with("-")) {
      verb_index = i;
      break;
    }
    if (kGlobalValueFlags.count(arg)) ++i;  // skip its value
  }
  if (verb_index == args.size() || args[verb_index] == "help") {
    bool asked = verb_index != args.size() ||
                 std::find(args.begin(), args.end(), "--help") != args.end() ||
                 std::find(args.begin(), args.end(), "-h") != args.end();
    (asked ? std::cout : std::cerr) << top_usage();
    return asked ? 0 : 1;
  }
  const std::string verb = args[verb_index];
  const Command* command = nullptr;
  for (const auto& c : all_commands())
    if (c.name == verb) command = &c;
  if (!command) {
    std::cerr << "error: unknown command \"" << verb
              << "\" for \"kubectl\"\nRun 'kubectl --help' for usage.\n";
    return 1;
  }
  std::vector<std::string> rest(args.begin(), args.begin() + static_cast<long>(verb_index));
  rest.insert(rest.end(), args.begin() + static_cast<long>(verb_index) + 1, args.end());
  util::Flags flags;
  add_global_flags(flags);
  command->declare(flags);
  try {
    flags.parse(rest);
  } catch (const util::FlagError& e) {
    std::cerr << "error: " << e.what() << "\nSee 'kubectl " << verb << " --help' for usage.\n";
    return 1;
  }
  if (flags.get_bool("help")) {
    std::cout << command->summary << ".\n\n" << command->usage << "\nOptions:\n" << flags.usage();
    return 0;
  }
  Context context(flags, std::cout, std::cerr);
  try {
    return command->run(context);
  } catch (const KubectlError& e) {
    std::cout.flush();
    std::cerr << e.what() << "\n";
  } catch (const yaml::YamlError& e) {
    std::cerr << "error: " << e.what() << "\n";
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
  }
  return 1;
}

}  // namespace skiff::kubectl
