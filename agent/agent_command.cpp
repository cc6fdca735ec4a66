// `skiff agent`: joins a server and runs the pods it binds to this node.
#include <signal.h>

#include <iostream>

#include "agent/agent.h"
#include "agent/agent_cleanup.h"
#include "agent/agent_flags.h"
#include "pkg/log/log.h"
#include "pkg/util/allocator.h"
#include "pkg/util/sd_notify.h"

namespace skiff::agent {

int agent_command(const std::vector<std::string>& args) {
  if (!args.empty() && args.front() == "cleanup")
    return agent_cleanup_command({args.begin() + 1, args.end()});
  util::Flags flags;
  add_agent_flags(flags, /*for_server=*/false);
  flags.add_string("data-dir,d", "/var/lib/skiff", "Folder to hold state");
  flags.add_string("log-level", "info", "debug, info, warn or error");
  flags.add_bool("help,h", false, "Show this help");
  AgentConfig config;
  try {
    flags.parse(args);
    if (flags.get_bool("help")) {
      std::cout << "Usage: skiff agent --server URL --token TOKEN [flags]\n"
                   "       skiff agent cleanup [--container-runtime-endpoint SOCKET]\n\n"
                   "Run a node: the pods the server binds to it, on podman. `cleanup` removes\n"
                   "the node state a stopped agent leaves (see skiff agent cleanup --help).\n\n"
                   "Flags:\n"
                << flags.usage();
      return 0;
    }
    if (!flags.positional().empty())
      throw util::FlagError("unexpected argument \"" + flags.positional().front() + "\"");
    config = agent_config_from_flags(flags, /*for_server=*/false);
    if (!log::set_level_by_name(flags.get_string("log-level")))
      throw util::FlagError("--log-level must be debug, info, warn or error");
  } catch (const util::FlagError& e) {
    std::cerr << "skiff agent: " << e.what() << "\n\nFlags:\n" << flags.usage();
    return 2;
  }

  // SIGINT/SIGTERM are taken by sigwait() below only; threads started later inherit the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  util::release_memory_in_background();  // after the mask: its thread inherits it
  try {
    Agent agent(config);
    agent.start();
    util::sd_notify_ready();  // skiff-agent.service (Type=notify) counts as started from here
    int received = 0;
    sigwait(&signals, &received);
    log::info("shutting down", {{"signal", received == SIGINT ? "SIGINT" : "SIGTERM"}});
    util::sd_notify_stopping();
    agent.stop();
    return 0;
  } catch (const std::exception& e) {
    log::error("skiff agent failed", {{"error", e.what()}});
    std::cerr << "skiff agent: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace skiff::agent
