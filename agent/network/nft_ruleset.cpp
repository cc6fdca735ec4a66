#include "agent/network/nft_ruleset.h"

#include <set>
#include <vector>

namespace skiff::agent::network {
namespace {

// Every name and address written below was checked by the parser (DNS-1123 labels, dotted IPv4,
// IPv4 CIDR), so nothing from the API can change the script's syntax.

class Script {
 public:
  void line(int indent, const std::string& text) {
    text_.append(static_cast<size_t>(indent), '\t');
    text_ += text;
    text_ += '\n';
  }
  void open_chain(const std::string& name) { line(1, "chain " + name + " {"); }
  void close() { line(1, "}"); }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

std::string port_key(const ProxiedPort& port) {
  return port.namespace_name + "/" + port.service_name + "/" + nft_protocol(port.protocol) + "/" +
         std::to_string(port.port);
}
std::string endpoint_key(const std::string& key, const Backend& backend) {
  return key + "__" + backend.ip + "/" + std::to_string(backend.port);
}
std::string address_element(const std::string& ip, const ProxiedPort& port, int number,
                            const std::string& verdict) {
  return ip + " . " + nft_protocol(port.protocol) + " . " + std::to_string(number) + " : " +
         verdict;
}
std::string port_element(const ProxiedPort& port, const std::string& verdict) {
  return std::string(nft_protocol(port.protocol)) + " . " + std::to_string(port.node_port) + " : " +
         verdict;
}

void render_map(Script& script, const std::string& name, const std::string& type,
                const std::vector<std::string>& elements) {
  script.line(1, "map " + name + " {");
  script.line(2, "type " + type + " : verdict");
  if (!elements.empty()) {
    script.line(2, "elements = {");
    for (size_t i = 0; i < elements.size(); ++i)
      script.line(3, elements[i] + (i + 1 < elements.size() ? "," : ""));
    script.line(2, "}");
  }
  script.close();
}

// The fixed part: hooks, masquerading and the dispatch through the maps.
void render_base_chains(Script& script) {
  script.line(1, "chain reject-chain {");
  script.line(2, "reject");
  script.close();
  // Filter hooks at -110 see the service address before any DNAT; only new connections.
  script.open_chain("filter-input");
  script.line(2, "type filter hook input priority -110; policy accept;");
  script.line(2, "ct state new jump nodeport-endpoints-check");
  script.line(2, "ct state new jump service-endpoints-check");
  script.close();
  for (const char* hook : {"forward", "output"}) {
    script.open_chain(std::string("filter-") + hook);
    script.line(2, std::string("type filter hook ") + hook + " priority -110; policy accept;");
    script.line(2, "ct state new jump service-endpoints-check");
    script.close();
  }
  script.open_chain("service-endpoints-check");
  script.line(2, "ip daddr . meta l4proto . th dport vmap @no-endpoint-services");
  script.close();
  script.open_chain("nodeport-endpoints-check");
  script.line(2,
              "fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap "
              "@no-endpoint-nodeports");
  script.close();

  for (const char* hook : {"prerouting", "output"}) {
    script.open_chain(std::string("nat-") + hook);
    script.line(2, std::string("type nat hook ") + hook + " priority -100; policy accept;");
    script.line(2, "jump services");
    script.close();
  }
  script.open_chain("nat-postrouting");
  script.line(2, "type nat hook postrouting priority 100; policy accept;");
  script.line(2, "jump masquerading");
  script.close();
  script.open_chain("masquerading");
  script.line(2, "meta mark & 0x00004000 == 0x00000000 return");
  script.line(2, "meta mark set meta mark ^ 0x00004000");
  script.line(2, "masquerade fully-random");
  script.close();
  script.open_chain("mark-for-masquerade");
  script.line(2, "meta mark set meta mark | 0x00004000");
  script.close();
  script.open_chain("services");
  script.line(2, "ip daddr . meta l4proto . th dport vmap @service-ips");
  script.line(2,
              "fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap "
              "@service-nodeports");
  script.close();
}

// A chain that sends a new connection to one endpoint of `pool`: the one this client is bound
// to under ClientIP affinity, else a uniform random one.
void add_picker(NftRuleset& rules, const std::string& chain, const std::string& key,
                const std::vector<Backend>& pool, bool affinity) {
  NftChain& picker = rules.chains.emplace_back(NftChain{chain, {}});
  if (affinity) {
    for (const auto& backend : pool) {
      std::string endpoint = endpoint_key(key, backend);
      picker.rules.push_back("ip saddr @affinity-" + endpoint + " goto endpoint-" + endpoint);
    }
  }
  std::string choices;
  for (size_t i = 0; i < pool.size(); ++i) {
    if (i > 0) choices += ", ";
    choices += std::to_string(i) + " : goto endpoint-" + endpoint_key(key, pool[i]);
  }
  picker.rules.push_back("numgen random mod " + std::to_string(pool.size()) + " vmap { " + choices +
                         " }");
}

void add_endpoint(NftRuleset& rules, const std::string& key, const Backend& backend,
                  const ProxiedPort& port) {
  std::string endpoint = endpoint_key(key, backend);
  if (port.affinity_timeout_seconds)
    rules.sets.push_back(NftSet{"affinity-" + endpoint, *port.affinity_timeout_seconds});
  NftChain& chain = rules.chains.emplace_back(NftChain{"endpoint-" + endpoint, {}});
  // Hairpin: a pod reaching itself through the service must see the reply come from the node.
  chain.rules.push_back("ip saddr " + backend.ip + " jump mark-for-masquerade");
  if (port.affinity_timeout_seconds)
    chain.rules.push_back("update @affinity-" + endpoint + " { ip saddr }");
  chain.rules.push_back(std::string("meta l4proto ") + nft_protocol(port.protocol) + " dnat to " +
                        backend.ip + ":" + std::to_string(backend.port));
}

void add_port(NftRuleset& rules, const ProxyModel& model, const ProxiedPort& port) {
  const std::string key = port_key(port);
  const std::vector<Backend> cluster_pool = usable_backends(port, false, model.node_name);
  const bool any_local_policy =
      port.internal_policy == TrafficPolicy::Local || port.external_policy == TrafficPolicy::Local;
  const std::vector<Backend> local_pool =
      any_local_policy ? usable_backends(port, true, model.node_name) : std::vector<Backend>{};
  const bool external = port.node_port != 0 || !port.external_ips.empty();

  if (cluster_pool.empty()) {  // nothing to forward to: refuse new connections
    for (const auto& ip : port.cluster_ips)
      rules.no_endpoint_services.push_back(
          address_element(ip, port, port.port, "goto reject-chain"));
    for (const auto& ip : port.external_ips)
      rules.no_endpoint_services.push_back(
          address_element(ip, port, port.port, "goto reject-chain"));
    if (port.node_port != 0)
      rules.no_endpoint_nodeports.push_back(port_element(port, "goto reject-chain"));
    return;
  }

  // Only the pickers something jumps to, and the endpoints they can pick (the pools can differ:
  // the local one may fall back to terminating endpoints while the cluster one has ready ones).
  const bool internal_local = port.internal_policy == TrafficPolicy::Local;
  const bool needs_cluster = (!port.cluster_ips.empty() && !internal_local) || external;
  const bool needs_local =
      !local_pool.empty() && ((!port.cluster_ips.empty() && internal_local) ||
                              (external && port.external_policy == TrafficPolicy::Local));
  std::vector<Backend> endpoints;
  auto add_endpoints = [&](const std::vector<Backend>& pool) {
    for (const auto& backend : pool) {
      bool known = false;
      for (const auto& other : endpoints)
        known = known || (other.ip == backend.ip && other.port == backend.port);
      if (!known) endpoints.push_back(backend);
    }
  };

  const bool affinity = port.affinity_timeout_seconds.has_value();
  if (needs_cluster) {
    add_picker(rules, "cluster-" + key, key, cluster_pool, affinity);
    add_endpoints(cluster_pool);
  }
  if (needs_local) {
    add_picker(rules, "local-" + key, key, local_pool, affinity);
    add_endpoints(local_pool);
  }

  if (!port.cluster_ips.empty()) {
    if (internal_local && local_pool.empty()) {
      for (const auto& ip : port.cluster_ips)
        rules.no_endpoint_services.push_back(address_element(ip, port, port.port, "drop"));
    } else {
      NftChain& entry = rules.chains.emplace_back(NftChain{"service-" + key, {}});
      if (!model.cluster_cidr.empty()) {
        for (const auto& ip : port.cluster_ips) {
          entry.rules.push_back("ip daddr " + ip + " " + nft_protocol(port.protocol) + " dport " +
                                std::to_string(port.port) + " ip saddr != " + model.cluster_cidr +
                                " jump mark-for-masquerade");
        }
      }
      entry.rules.push_back(std::string("goto ") + (internal_local ? "local-" : "cluster-") + key);
      for (const auto& ip : port.cluster_ips)
        rules.service_ips.push_back(address_element(ip, port, port.port, "goto service-" + key));
    }
  }

  if (external) {
    NftChain& entry = rules.chains.emplace_back(NftChain{"external-" + key, {}});
    if (port.external_policy == TrafficPolicy::Cluster) {
      // From off the node the reply must come back through this node.
      entry.rules.push_back("jump mark-for-masquerade");
      entry.rules.push_back("goto cluster-" + key);
    } else {
      // Local keeps the client address; pods and the node itself still get every endpoint.
      if (!model.cluster_cidr.empty())
        entry.rules.push_back("ip saddr " + model.cluster_cidr + " goto cluster-" + key);
      entry.rules.push_back("fib saddr type local jump mark-for-masquerade");
      entry.rules.push_back("fib saddr type local goto cluster-" + key);
      entry.rules.push_back(local_pool.empty() ? "drop" : "goto local-" + key);
    }
    for (const auto& ip : port.external_ips)
      rules.service_ips.push_back(address_element(ip, port, port.port, "goto external-" + key));
    if (port.node_port != 0)
      rules.service_nodeports.push_back(port_element(port, "goto external-" + key));
  }

  for (const auto& backend : endpoints) add_endpoint(rules, key, backend, port);
}

}  // namespace

NftRuleset build_ruleset(const ProxyModel& model) {
  NftRuleset rules;
  for (const auto& port : model.ports) add_port(rules, model, port);
  // Two services claiming one address and port (the same externalIP, say) would make nft refuse
  // the whole transaction; the first in model order keeps it, as a Service that is listed first.
  for (auto* elements : {&rules.service_ips, &rules.service_nodeports, &rules.no_endpoint_services,
                         &rules.no_endpoint_nodeports}) {
    std::set<std::string> keys;
    std::erase_if(*elements, [&](const std::string& element) {
      return !keys.insert(element.substr(0, element.find(" : "))).second;
    });
  }
  return rules;
}

std::string render_ruleset(const NftRuleset& rules) {
  Script script;
  const std::string table = "ip " + std::string(kNftTable);
  // add + delete + define in one transaction: atomic, and it works whether the table exists.
  script.line(0, "add table " + table);
  script.line(0, "delete table " + table);
  script.line(0, "table " + table + " {");
  script.line(1, "comment \"skiff service proxy (generated by the agent)\"");
  render_map(script, "service-ips", "ipv4_addr . inet_proto . inet_service", rules.service_ips);
  render_map(script, "service-nodeports", "inet_proto . inet_service", rules.service_nodeports);
  render_map(script, "no-endpoint-services", "ipv4_addr . inet_proto . inet_service",
             rules.no_endpoint_services);
  render_map(script, "no-endpoint-nodeports", "inet_proto . inet_service",
             rules.no_endpoint_nodeports);
  for (const auto& set : rules.sets) {
    script.line(1, "set " + set.name + " {");
    script.line(2, "type ipv4_addr");
    script.line(2, "flags dynamic,timeout");
    script.line(2, "timeout " + std::to_string(set.timeout_seconds) + "s");
    script.close();
  }
  render_base_chains(script);
  for (const auto& chain : rules.chains) {
    script.open_chain(chain.name);
    for (const auto& rule : chain.rules) script.line(2, rule);
    script.close();
  }
  script.line(0, "}");
  return script.text();
}

std::string render_ruleset(const ProxyModel& model) {
  return render_ruleset(build_ruleset(model));
}

std::string render_removal() {
  const std::string table = "ip " + std::string(kNftTable);
  return "add table " + table + "\ndelete table " + table + "\n";
}

}  // namespace skiff::agent::network
