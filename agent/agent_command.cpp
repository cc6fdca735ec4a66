#include <iostream>

#include "agent/agent.h"
#include "pkg/util/flags.h"

namespace skiff::agent {

int agent_command(const std::vector<std::string>& args) {
  util::Flags flags;
  flags.add_string("server,s", "", "Server to connect to (https://HOST:6443)");
  flags.add_string("token,t", "", "Token to join the cluster");
  flags.add_string("node-name", "", "Node name (default: the hostname)");
  flags.add_string("data-dir,d", "/var/lib/skiff", "Folder to hold state");
  flags.add_bool("help,h", false, "Show this help");
  try {
    flags.parse(args);
  } catch (const util::FlagError& e) {
    std::cerr << "skiff agent: " << e.what() << "\n\nFlags:\n" << flags.usage();
    return 2;
  }
  if (flags.get_bool("help")) {
    std::cout << "Usage: skiff agent --server URL --token TOKEN [flags]\n\nFlags:\n"
              << flags.usage();
    return 0;
  }
  std::cerr << "skiff agent: running pods on a node is not available in this version yet\n";
  return 1;
}

}  // namespace skiff::agent
