#include <iostream>

#include "agent/agent_flags.h"
#include "pkg/log/log.h"
#include "pkg/util/duration.h"
#include "pkg/util/flags.h"
#include "server/server.h"

namespace skiff::server {

int server_command(const std::vector<std::string>& args) {
  util::Flags flags;
  ServerConfig defaults;
  flags.add_string("data-dir,d", defaults.data_dir, "Folder to hold state");
  flags.add_string("bind-address", defaults.bind_address, "Address the API server listens on");
  flags.add_int("https-listen-port", defaults.https_listen_port,
                "Port the API server listens on (0 picks a free port)");
  flags.add_bool("disable-agent", false, "Do not run a local agent on this server");
  flags.add_string("datastore-endpoint", "",
                   "External datastore (etcd) endpoint; empty means embedded SQLite");
  flags.add_string("log-level", defaults.log_level, "debug, info, warn or error");
  flags.add_string("ready-file", "", "Write the bound API port to this file once ready");
  flags.add_string("write-kubeconfig,o", defaults.write_kubeconfig,
                   "Write the admin kubeconfig to this file (empty: do not write one)");
  flags.add_string("write-kubeconfig-mode", "0600", "File mode of the written kubeconfig (octal)");
  flags.add_string("node-monitor-grace-period", "40s",
                   "How long a node may stop renewing its lease before it is marked unreachable");
  flags.add_int("node-port", defaults.node_port,
                "Port agents connect to (the node service; 0 picks a free port)");
  flags.add_string("node-ready-file", "", "Write the bound node service port to this file");
  flags.add_string("token,t", "",
                   "Shared token agents join with (default: <data-dir>/server/node-token, "
                   "generated when absent)");
  agent::add_agent_flags(flags, /*for_server=*/true);
  flags.add_bool("help,h", false, "Show this help");
  try {
    flags.parse(args);
  } catch (const util::FlagError& e) {
    std::cerr << "skiff server: " << e.what() << "\n\nFlags:\n" << flags.usage();
    return 2;
  }
  if (flags.get_bool("help")) {
    std::cout << "Usage: skiff server [flags]\n\nRun the control plane (and a local agent).\n\n"
              << "Flags:\n"
              << flags.usage();
    return 0;
  }
  if (!flags.positional().empty()) {
    std::cerr << "skiff server: unexpected argument \"" << flags.positional().front() << "\"\n";
    return 2;
  }
  ServerConfig config;
  config.data_dir = flags.get_string("data-dir");
  config.bind_address = flags.get_string("bind-address");
  auto port = flags.get_int("https-listen-port");
  if (port < 0 || port > 65535) {
    std::cerr << "skiff server: --https-listen-port must be between 0 and 65535\n";
    return 2;
  }
  config.https_listen_port = static_cast<uint16_t>(port);
  config.disable_agent = flags.get_bool("disable-agent");
  config.datastore_endpoint = flags.get_string("datastore-endpoint");
  config.log_level = flags.get_string("log-level");
  config.ready_file = flags.get_string("ready-file");
  config.write_kubeconfig = flags.get_string("write-kubeconfig");
  try {
    size_t used = 0;
    const std::string mode = flags.get_string("write-kubeconfig-mode");
    config.write_kubeconfig_mode = static_cast<unsigned>(std::stoul(mode, &used, 8));
    if (used != mode.size() || config.write_kubeconfig_mode > 0777)
      throw std::invalid_argument(mode);
  } catch (const std::exception&) {
    std::cerr << "skiff server: --write-kubeconfig-mode must be an octal file mode such as 0600\n";
    return 2;
  }
  auto grace = util::parse_duration(flags.get_string("node-monitor-grace-period"));
  if (!grace || grace->count() == 0) {
    std::cerr << "skiff server: --node-monitor-grace-period must be a duration such as 40s\n";
    return 2;
  }
  config.node_monitor_grace_period = *grace;
  auto node_port = flags.get_int("node-port");
  if (node_port < 0 || node_port > 65535) {
    std::cerr << "skiff server: --node-port must be between 0 and 65535\n";
    return 2;
  }
  config.node_port = static_cast<int>(node_port);
  config.node_ready_file = flags.get_string("node-ready-file");
  config.token = flags.get_string("token");
  try {
    config.agent = agent::agent_config_from_flags(flags, /*for_server=*/true);
  } catch (const util::FlagError& e) {
    std::cerr << "skiff server: " << e.what() << "\n";
    return 2;
  }
  if (!config.datastore_endpoint.empty()) {
    std::cerr << "skiff server: --datastore-endpoint (etcd) is not supported yet; "
                 "leave it empty to use the embedded SQLite store\n";
    return 2;
  }
  if (!log::set_level_by_name(config.log_level)) {
    std::cerr << "skiff server: --log-level must be debug, info, warn or error\n";
    return 2;
  }
  return run(config);
}

}  // namespace skiff::server
