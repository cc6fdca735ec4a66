// skiff: one binary, a table of subcommands. No logic lives here.
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "agent/agent.h"
#include "agent/hostcheck/check_config_command.h"
#include "cmd/skiff/embedded_agent.h"
#include "pkg/api/version.h"
#include "pkg/kubectl/kubectl.h"
#include "pkg/kubectl/secrets_encrypt_command.h"
#include "pkg/kubectl/token_command.h"
#include "server/certificate_command.h"
#include "server/server.h"

namespace {

// `skiff server` with the agent it embeds.
int server_command(const std::vector<std::string>& args) {
  return skiff::server::server_command(args, skiff::cmd::embedded_agent_extensions());
}

int version_command(const std::vector<std::string>&) {
  std::cout << "skiff version v" << skiff::version::kSkiffVersion << " (Kubernetes API "
            << skiff::version::kGitVersion << ")\n";
  return 0;
}

struct Subcommand {
  const char* name;
  const char* summary;
  int (*run)(const std::vector<std::string>& args);
};

const Subcommand kSubcommands[] = {
    {"server", "Run the control plane (with a local agent unless --disable-agent)", server_command},
    {"agent", "Run a node that joins a server", skiff::agent::agent_command},
    {"kubectl", "Talk to the cluster, like kubectl", skiff::kubectl::kubectl_command},
    {"check-config", "Check this host for what skiff needs",
     skiff::agent::hostcheck::check_config_command},
    {"token", "Create, list and delete join tokens", skiff::kubectl::token_command},
    {"certificate", "Check or rotate the server's certificates",
     skiff::server::certificate_command},
    {"secrets-encrypt", "Secrets encryption at rest: status, rotate-keys",
     skiff::kubectl::secrets_encrypt_command},
    {"version", "Print the version", version_command},
};

int usage(std::ostream& out, int code) {
  out << "skiff: a small Kubernetes-style cluster in one binary\n\nUsage: skiff COMMAND "
         "[flags]\n\nCommands:\n";
  for (const auto& sub : kSubcommands) {
    std::string name = sub.name;
    out << "  " << name << std::string(name.size() < 14 ? 14 - name.size() : 1, ' ') << sub.summary
        << "\n";
  }
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  // Invoked through a `kubectl` symlink, behave as `skiff kubectl`.
  const char* base = std::strrchr(argv[0], '/');
  base = base ? base + 1 : argv[0];
  if (std::strcmp(base, "kubectl") == 0) {
    return skiff::kubectl::kubectl_command(std::vector<std::string>(argv + 1, argv + argc));
  }
  if (argc < 2) return usage(std::cerr, 2);
  std::string command = argv[1];
  if (command == "-h" || command == "--help" || command == "help") return usage(std::cout, 0);
  if (command == "--version" || command == "-v") command = "version";
  for (const auto& sub : kSubcommands) {
    if (command == sub.name) return sub.run(std::vector<std::string>(argv + 2, argv + argc));
  }
  std::cerr << "skiff: unknown command \"" << command << "\"\n\n";
  return usage(std::cerr, 2);
}
