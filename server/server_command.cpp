#include <iostream>
#include <map>
#include <set>

#include "pkg/api/validation.h"
#include "pkg/log/log.h"
#include "pkg/util/allocator.h"
#include "pkg/util/duration.h"
#include "pkg/util/flags.h"
#include "server/server.h"

namespace skiff::server {

namespace {

// Components --disable can turn off.
// k3s' names are accepted so k3s command lines keep working: "coredns" is the cluster DNS and
// "traefik" the ingress (skiff's embedded Ingress proxy stands where k3s packages Traefik).
const std::set<std::string> kDisableable = {"servicelb", "dns", "coredns", "ingress", "traefik"};
const std::map<std::string, std::string> kDisableAliases = {{"coredns", "dns"},
                                                            {"traefik", "ingress"}};
const std::set<std::string> kNetworkBackends = {"vxlan", "host-gw", "none"};

// The largest service CIDR Kubernetes accepts for IPv4 is a /12; a /28 leaves room for the
// `kubernetes` Service, the DNS address and a few more.
constexpr int kLargestServicePrefix = 12;
constexpr int kSmallestServicePrefix = 28;

bool overlaps(const util::Ipv4Cidr& a, const util::Ipv4Cidr& b) {
  return a.contains(b.network) || b.contains(a.network);
}

}  // namespace

std::string set_network_flags(ServerConfig& config, const std::string& cluster_cidr,
                              const std::string& service_cidr, const std::string& node_port_range,
                              const std::string& cluster_dns,
                              const std::vector<std::string>& disable) {
  auto cluster = util::parse_ipv4_cidr(cluster_cidr);
  if (!cluster || cluster->prefix > 24 || cluster->prefix < 8)
    return "--cluster-cidr must be an IPv4 network between /8 and /24 such as 10.42.0.0/16 "
           "(each node gets a /24 of it), not \"" +
           cluster_cidr + "\"";
  auto services = util::parse_ipv4_cidr(service_cidr);
  if (!services || services->prefix < kLargestServicePrefix ||
      services->prefix > kSmallestServicePrefix)
    return "--service-cidr must be an IPv4 network between /" +
           std::to_string(kLargestServicePrefix) + " and /" +
           std::to_string(kSmallestServicePrefix) + " such as 10.43.0.0/16, not \"" + service_cidr +
           "\"";
  if (overlaps(*cluster, *services))
    return "--cluster-cidr " + cluster->str() + " and --service-cidr " + services->str() +
           " must not overlap";
  auto ports = util::parse_port_range(node_port_range);
  if (!ports)
    return "--service-node-port-range must be a range of ports such as 30000-32767, not \"" +
           node_port_range + "\"";
  auto dns = util::parse_ipv4(cluster_dns);
  if (!dns)
    return "--cluster-dns must be an IPv4 address such as 10.43.0.10, not \"" + cluster_dns + "\"";
  const uint64_t offset = uint64_t{*dns} - services->network;
  if (!services->contains(*dns) || offset < 2 || offset + 1 >= services->size())
    return "--cluster-dns " + cluster_dns + " must be an address inside --service-cidr " +
           services->str() + " (not its network, first or broadcast address)";
  std::set<std::string> disabled;
  for (const auto& value : disable) {
    size_t start = 0;
    while (start <= value.size()) {
      size_t comma = value.find(',', start);
      std::string name =
          value.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      if (!name.empty()) {
        if (!kDisableable.count(name)) {
          std::string known;
          for (const auto& k : kDisableable) known += (known.empty() ? "" : ", ") + k;
          return "--disable: unknown component \"" + name + "\" (known: " + known + ")";
        }
        auto alias = kDisableAliases.find(name);
        disabled.insert(alias == kDisableAliases.end() ? name : alias->second);
      }
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  config.cluster_cidr = *cluster;
  config.service_cidr = *services;
  config.service_node_port_range = *ports;
  config.cluster_dns = *dns;
  config.disabled = std::move(disabled);
  return "";
}

namespace {

// Only when the binary runs on glibc's malloc (a build with -DSKIFF_JEMALLOC=OFF): glibc gives
// every thread that allocates under contention its own heap ("arena"), up to 8 per core, and
// memory freed into one arena serves only the threads on it. The server's ~30 threads (I/O,
// handlers, the writer, controllers) hand objects to each other all the time, so each arena
// kept its own share of freed memory: after 10,000 pending pods were bound (scheduler_bench's
// backlog run) the server held 398 MiB of its own memory, 274 MiB with 4 arenas and 229 MiB
// with 2. Four measured as fast as the default (two were ~8% slower on gets).
constexpr int kGlibcArenas = 4;

}  // namespace

int server_command(const std::vector<std::string>& args,
                   const ServerCommandExtensions& extensions) {
  util::limit_glibc_arenas(kGlibcArenas);  // before any thread starts
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
  flags.add_string("event-ttl", "1h",
                   "How long an Event is kept after it was last written (0 keeps Events)");
  flags.add_int("node-port", defaults.node_port,
                "Port agents connect to (the node service; 0 picks a free port)");
  flags.add_string("node-ready-file", "", "Write the bound node service port to this file");
  flags.add_string("token,t", "",
                   "Shared token agents join with (default: <data-dir>/server/node-token, "
                   "generated when absent)");
  flags.add_list("tls-san",
                 "Extra host name or IP address for the API's serving certificate; repeat or "
                 "comma list");
  flags.add_string("token-auth-file", "",
                   "Bearer tokens the API accepts (Kubernetes' static token file: "
                   "token,user,uid,\"group1,group2\")");
  flags.add_bool("secrets-encryption", false,
                 "Encrypt Secret data at rest (AES-GCM; key in "
                 "<data-dir>/server/cred/encryption-config.json)");
  flags.add_string("certificate-check-period", "10m",
                   "How often certificates are checked for renewal (90 days before expiry) and "
                   "for files replaced by `skiff certificate rotate`");
  if (extensions.add_flags) extensions.add_flags(flags);
  flags.add_string("cluster-cidr", defaults.cluster_cidr.str(),
                   "Network for pod IPs; each node gets a /24 of it");
  flags.add_string("service-cidr", defaults.service_cidr.str(), "Network for Service ClusterIPs");
  flags.add_string("service-node-port-range", defaults.service_node_port_range.str(),
                   "Port range for NodePort Services");
  flags.add_string("cluster-dns", util::format_ipv4(defaults.cluster_dns),
                   "Cluster DNS address (inside --service-cidr)");
  flags.add_string("cluster-domain", defaults.cluster_domain, "Cluster domain");
  flags.add_string("network-backend", defaults.network_backend,
                   "How pods on different nodes reach each other: vxlan, host-gw, or none "
                   "(pods use the container runtime's default network)");
  flags.add_bool("disable-kube-proxy", false,
                 "Do not forward Service addresses on the nodes (no nftables rules)");
  flags.add_list("disable",
                 "Do not run a packaged component (servicelb, dns, ingress); repeat or comma list");
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
  auto event_ttl = util::parse_duration(flags.get_string("event-ttl"));
  if (!event_ttl) {
    std::cerr << "skiff server: --event-ttl must be a duration such as 1h\n";
    return 2;
  }
  config.event_ttl = std::chrono::ceil<std::chrono::seconds>(*event_ttl);
  auto node_port = flags.get_int("node-port");
  if (node_port < 0 || node_port > 65535) {
    std::cerr << "skiff server: --node-port must be between 0 and 65535\n";
    return 2;
  }
  config.node_port = static_cast<int>(node_port);
  config.node_ready_file = flags.get_string("node-ready-file");
  config.token = flags.get_string("token");
  for (const auto& value : flags.get_list("tls-san")) {
    size_t start = 0;
    while (start <= value.size()) {
      const size_t comma = value.find(',', start);
      std::string name = value.substr(start, comma == std::string::npos ? comma : comma - start);
      if (!name.empty()) config.tls_sans.push_back(std::move(name));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  config.token_auth_file = flags.get_string("token-auth-file");
  config.secrets_encryption = flags.get_bool("secrets-encryption");
  auto check_period = util::parse_duration(flags.get_string("certificate-check-period"));
  if (!check_period || check_period->count() < 1000) {
    std::cerr << "skiff server: --certificate-check-period must be a duration of at least 1s "
                 "such as 10m\n";
    return 2;
  }
  config.certificate_check_period = *check_period;
  try {
    if (extensions.embedded_agent && !config.disable_agent)
      config.embedded_agent = extensions.embedded_agent(flags);
  } catch (const util::FlagError& e) {
    std::cerr << "skiff server: " << e.what() << "\n";
    return 2;
  }
  std::string network_error =
      set_network_flags(config, flags.get_string("cluster-cidr"), flags.get_string("service-cidr"),
                        flags.get_string("service-node-port-range"),
                        flags.get_string("cluster-dns"), flags.get_list("disable"));
  if (!network_error.empty()) {
    std::cerr << "skiff server: " << network_error << "\n";
    return 2;
  }
  config.network_backend = flags.get_string("network-backend");
  if (!kNetworkBackends.count(config.network_backend)) {
    std::cerr << "skiff server: --network-backend must be vxlan, host-gw or none, not \""
              << config.network_backend << "\"\n";
    return 2;
  }
  config.cluster_domain = flags.get_string("cluster-domain");
  if (!api::validate_dns1123_subdomain(config.cluster_domain).empty()) {
    std::cerr << "skiff server: --cluster-domain must be a DNS name such as cluster.local, not \""
              << config.cluster_domain << "\"\n";
    return 2;
  }
  config.disable_kube_proxy = flags.get_bool("disable-kube-proxy");
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
