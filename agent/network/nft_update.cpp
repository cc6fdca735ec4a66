// render_update: one transaction from the ruleset in the kernel to the next one, touching only
// what differs. The order of the commands is what makes it valid: chains that go away or change
// are flushed and map elements that go away or change are deleted before anything is deleted,
// so nothing still refers to a chain or set when it is removed; new sets and chains exist before
// rules and elements refer to them.
#include <map>
#include <set>

#include "agent/network/nft_ruleset.h"

namespace skiff::agent::network {
namespace {

const std::string kServiceTable = "ip " + std::string(kNftTable);

// "key : verdict" -> key
std::string element_key(const std::string& element) {
  return element.substr(0, element.find(" : "));
}

struct MapDiff {
  std::vector<std::string> removed_keys;  // deleted (removed, or verdict changed)
  std::vector<std::string> added;         // added (new, or verdict changed)
};

MapDiff diff_map(const std::vector<std::string>& applied, const std::vector<std::string>& next) {
  std::set<std::string> before(applied.begin(), applied.end());
  std::set<std::string> after(next.begin(), next.end());
  MapDiff diff;
  for (const auto& element : applied)
    if (!after.count(element)) diff.removed_keys.push_back(element_key(element));
  for (const auto& element : next)
    if (!before.count(element)) diff.added.push_back(element);
  return diff;
}

std::string braced(const std::vector<std::string>& items) {
  std::string text = "{ ";
  for (size_t i = 0; i < items.size(); ++i) text += (i ? ", " : "") + items[i];
  return text + " }";
}

}  // namespace

std::optional<std::string> render_update(const NftRuleset& applied, const NftRuleset& next) {
  std::map<std::string, int> applied_sets;
  for (const auto& set : applied.sets) applied_sets[set.name] = set.timeout_seconds;
  std::map<std::string, int> next_sets;
  for (const auto& set : next.sets) {
    next_sets[set.name] = set.timeout_seconds;
    auto known = applied_sets.find(set.name);
    // A set cannot change its timeout in place, and unchanged chains may still use it.
    if (known != applied_sets.end() && known->second != set.timeout_seconds) return std::nullopt;
  }
  std::map<std::string, const NftChain*> applied_chains;
  for (const auto& chain : applied.chains) applied_chains[chain.name] = &chain;
  std::set<std::string> next_chains;
  for (const auto& chain : next.chains) next_chains.insert(chain.name);

  const std::pair<const char*, MapDiff> maps[] = {
      {"service-ips", diff_map(applied.service_ips, next.service_ips)},
      {"service-nodeports", diff_map(applied.service_nodeports, next.service_nodeports)},
      {"no-endpoint-services", diff_map(applied.no_endpoint_services, next.no_endpoint_services)},
      {"no-endpoint-nodeports",
       diff_map(applied.no_endpoint_nodeports, next.no_endpoint_nodeports)},
  };

  std::string script;
  auto command = [&](const std::string& text) { script += text + "\n"; };
  // 1. Empty the chains that change or go away, drop the elements that change or go away.
  for (const auto& chain : applied.chains) {
    bool kept = next_chains.count(chain.name) > 0;
    if (!kept) command("flush chain " + kServiceTable + " " + chain.name);
  }
  for (const auto& chain : next.chains) {
    auto known = applied_chains.find(chain.name);
    if (known != applied_chains.end() && known->second->rules != chain.rules)
      command("flush chain " + kServiceTable + " " + chain.name);
  }
  for (const auto& [map, diff] : maps)
    if (!diff.removed_keys.empty())
      command("delete element " + kServiceTable + " " + map + " " + braced(diff.removed_keys));
  // 2. Create what is new, fill what changed.
  for (const auto& set : next.sets) {
    if (!applied_sets.count(set.name))
      command("add set " + kServiceTable + " " + set.name +
              " { type ipv4_addr; flags dynamic,timeout; timeout " +
              std::to_string(set.timeout_seconds) + "s; }");
  }
  for (const auto& chain : next.chains)
    if (!applied_chains.count(chain.name)) command("add chain " + kServiceTable + " " + chain.name);
  for (const auto& chain : next.chains) {
    auto known = applied_chains.find(chain.name);
    if (known != applied_chains.end() && known->second->rules == chain.rules) continue;
    for (const auto& rule : chain.rules)
      command("add rule " + kServiceTable + " " + chain.name + " " + rule);
  }
  for (const auto& [map, diff] : maps)
    if (!diff.added.empty())
      command("add element " + kServiceTable + " " + map + " " + braced(diff.added));
  // 3. Remove what nothing refers to any more.
  for (const auto& chain : applied.chains)
    if (!next_chains.count(chain.name)) command("delete chain " + kServiceTable + " " + chain.name);
  for (const auto& set : applied.sets)
    if (!next_sets.count(set.name)) command("delete set " + kServiceTable + " " + set.name);
  return script;
}

}  // namespace skiff::agent::network
