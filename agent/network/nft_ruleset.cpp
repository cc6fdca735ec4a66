#include "agent/network/nft_ruleset.h"

#include <vector>

namespace skiff::agent::network {
namespace {

// Every name and address written below was checked by the parser (DNS-1123 labels, dotted IPv4,
// IPv4 CIDR), so nothing from the API can change the script's syntax.

struct Elements {
  std::vector<std::string> service_ips;            // ip . proto . port : verdict
  std::vector<std::string> service_nodeports;      // proto . port : verdict
  std::vector<std::string> no_endpoint_services;   // ip . proto . port : verdict
  std::vector<std::string> no_endpoint_nodeports;  // proto . port : verdict
};

class Script {
 public:
  void line(int indent, const std::string& text) {
    text_.append(static_cast<size_t>(indent), '\t');
    text_ += text;
    text_ += '\n';
  }
  void open_chain(const std::string& name) { line(1, "chain " + name + " {"); }
  void close() { line(1, "}"); }
  void append(const Script& other) { text_ += other.text_; }
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
void render_picker(Script& chains, const std::string& chain, const std::string& key,
                   const std::vector<Backend>& pool, bool affinity) {
  chains.open_chain(chain);
  if (affinity) {
    for (const auto& backend : pool) {
      std::string endpoint = endpoint_key(key, backend);
      chains.line(2, "ip saddr @affinity-" + endpoint + " goto endpoint-" + endpoint);
    }
  }
  std::string choices;
  for (size_t i = 0; i < pool.size(); ++i) {
    if (i > 0) choices += ", ";
    choices += std::to_string(i) + " : goto endpoint-" + endpoint_key(key, pool[i]);
  }
  chains.line(2, "numgen random mod " + std::to_string(pool.size()) + " vmap { " + choices + " }");
  chains.close();
}

void render_endpoint(Script& sets, Script& chains, const std::string& key, const Backend& backend,
                     const ProxiedPort& port) {
  std::string endpoint = endpoint_key(key, backend);
  if (port.affinity_timeout_seconds) {
    sets.line(1, "set affinity-" + endpoint + " {");
    sets.line(2, "type ipv4_addr");
    sets.line(2, "flags dynamic,timeout");
    sets.line(2, "timeout " + std::to_string(*port.affinity_timeout_seconds) + "s");
    sets.close();
  }
  chains.open_chain("endpoint-" + endpoint);
  // Hairpin: a pod reaching itself through the service must see the reply come from the node.
  chains.line(2, "ip saddr " + backend.ip + " jump mark-for-masquerade");
  if (port.affinity_timeout_seconds)
    chains.line(2, "update @affinity-" + endpoint + " { ip saddr }");
  chains.line(2, std::string("meta l4proto ") + nft_protocol(port.protocol) + " dnat to " +
                     backend.ip + ":" + std::to_string(backend.port));
  chains.close();
}

void render_port(Script& sets, Script& chains, Elements& elements, const ProxyModel& model,
                 const ProxiedPort& port) {
  const std::string key = port_key(port);
  const std::vector<Backend> cluster_pool = usable_backends(port, false, model.node_name);
  const bool any_local_policy =
      port.internal_policy == TrafficPolicy::Local || port.external_policy == TrafficPolicy::Local;
  const std::vector<Backend> local_pool =
      any_local_policy ? usable_backends(port, true, model.node_name) : std::vector<Backend>{};
  const bool external = port.node_port != 0 || !port.external_ips.empty();

  if (cluster_pool.empty()) {  // nothing to forward to: refuse new connections
    for (const auto& ip : port.cluster_ips)
      elements.no_endpoint_services.push_back(
          address_element(ip, port, port.port, "goto reject-chain"));
    for (const auto& ip : port.external_ips)
      elements.no_endpoint_services.push_back(
          address_element(ip, port, port.port, "goto reject-chain"));
    if (port.node_port != 0)
      elements.no_endpoint_nodeports.push_back(port_element(port, "goto reject-chain"));
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
    render_picker(chains, "cluster-" + key, key, cluster_pool, affinity);
    add_endpoints(cluster_pool);
  }
  if (needs_local) {
    render_picker(chains, "local-" + key, key, local_pool, affinity);
    add_endpoints(local_pool);
  }

  if (!port.cluster_ips.empty()) {
    if (internal_local && local_pool.empty()) {
      for (const auto& ip : port.cluster_ips)
        elements.no_endpoint_services.push_back(address_element(ip, port, port.port, "drop"));
    } else {
      chains.open_chain("service-" + key);
      if (!model.cluster_cidr.empty()) {
        for (const auto& ip : port.cluster_ips) {
          chains.line(2, "ip daddr " + ip + " " + nft_protocol(port.protocol) + " dport " +
                             std::to_string(port.port) + " ip saddr != " + model.cluster_cidr +
                             " jump mark-for-masquerade");
        }
      }
      chains.line(2, std::string("goto ") + (internal_local ? "local-" : "cluster-") + key);
      chains.close();
      for (const auto& ip : port.cluster_ips)
        elements.service_ips.push_back(address_element(ip, port, port.port, "goto service-" + key));
    }
  }

  if (external) {
    chains.open_chain("external-" + key);
    if (port.external_policy == TrafficPolicy::Cluster) {
      // From off the node the reply must come back through this node.
      chains.line(2, "jump mark-for-masquerade");
      chains.line(2, "goto cluster-" + key);
    } else {
      // Local keeps the client address; pods and the node itself still get every endpoint.
      if (!model.cluster_cidr.empty())
        chains.line(2, "ip saddr " + model.cluster_cidr + " goto cluster-" + key);
      chains.line(2, "fib saddr type local jump mark-for-masquerade");
      chains.line(2, "fib saddr type local goto cluster-" + key);
      chains.line(2, local_pool.empty() ? "drop" : "goto local-" + key);
    }
    chains.close();
    for (const auto& ip : port.external_ips)
      elements.service_ips.push_back(address_element(ip, port, port.port, "goto external-" + key));
    if (port.node_port != 0)
      elements.service_nodeports.push_back(port_element(port, "goto external-" + key));
  }

  for (const auto& backend : endpoints) render_endpoint(sets, chains, key, backend, port);
}

}  // namespace

std::string render_ruleset(const ProxyModel& model) {
  Elements elements;
  Script sets;
  Script chains;
  for (const auto& port : model.ports) render_port(sets, chains, elements, model, port);

  Script script;
  const std::string table = "ip " + std::string(kNftTable);
  // add + delete + define in one transaction: atomic, and it works whether the table exists.
  script.line(0, "add table " + table);
  script.line(0, "delete table " + table);
  script.line(0, "table " + table + " {");
  script.line(1, "comment \"skiff service proxy (generated by the agent; replaced as a whole)\"");
  render_map(script, "service-ips", "ipv4_addr . inet_proto . inet_service", elements.service_ips);
  render_map(script, "service-nodeports", "inet_proto . inet_service", elements.service_nodeports);
  render_map(script, "no-endpoint-services", "ipv4_addr . inet_proto . inet_service",
             elements.no_endpoint_services);
  render_map(script, "no-endpoint-nodeports", "inet_proto . inet_service",
             elements.no_endpoint_nodeports);
  script.append(sets);
  render_base_chains(script);
  script.append(chains);
  script.line(0, "}");
  return script.text();
}

std::string render_removal() {
  const std::string table = "ip " + std::string(kNftTable);
  return "add table " + table + "\ndelete table " + table + "\n";
}

}  // namespace skiff::agent::network
