// Service proxy rules at scale: for 10, 100 and 1000 NodePort services (3 endpoints each), the
// time to build the model from API JSON, render the rules and the full script, replace the
// table with them, apply one endpoint change end to end (JSON -> model -> rules -> an nft update
// of the difference), the same change as a whole-table replace, and a resync of an unchanged
// model (no nft run). "rules" counts the objects nft lists with a handle. Rules are applied in a
// network namespace of the bench's own (the host's tables are never touched); needs root and nft.
// Then the endpoint change alone, `updates` times per size, through each runner: NftCommand (an
// `nft -f -` process per update) and NftLibrary (libnftables in this process), p50 and p99.
//
//   network_rules_bench [repetitions=5] [updates=50]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <vector>

#include "agent/network/nft_command.h"
#include "agent/network/nft_library.h"
#include "agent/network/nft_ruleset.h"
#include "agent/network/nft_table.h"
#include "agent/network/proxy_model.h"
#include "tests/integration/support/netns.h"
#include "tests/unit/support/network_objects.h"

namespace network = skiff::agent::network;
namespace objects = skiff::testing::network;
using skiff::Json;

namespace {

double milliseconds_of(const std::function<void()>& work) {
  auto started = std::chrono::steady_clock::now();
  work();
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
      .count();
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

// The smallest value at least `fraction` of the values are not above (nearest rank).
double percentile(std::vector<double> values, double fraction) {
  std::sort(values.begin(), values.end());
  size_t rank = static_cast<size_t>(fraction * values.size() + 0.999999);
  return values[std::clamp<size_t>(rank, 1, values.size()) - 1];
}

std::string ip_of(int base, int index) {
  return std::to_string(base) + "." + std::to_string(index / 65536 % 256) + "." +
         std::to_string(index / 256 % 256) + "." + std::to_string(index % 256);
}

// N services, svc-<i> on 10.43.x.y:80 and NodePort 30000+i, endpoints on three pods.
network::ProxyModelInput services_input(int count, int changed_endpoint) {
  network::ProxyModelInput input;
  input.node_name = "node-a";
  for (int i = 0; i < count; ++i) {
    std::string name = "svc-" + std::to_string(i);
    input.services.push_back(objects::service(
        name, {{"type", "NodePort"},
               {"clusterIP", ip_of(10, 43 * 65536 + i + 1)},
               {"ports", {{{"name", "http"}, {"port", 80}, {"nodePort", 30000 + i}}}}}));
    Json endpoints = Json::array();
    for (int e = 0; e < 3; ++e) {
      int pod = i * 3 + e + (i == 0 && e == 0 ? changed_endpoint : 0);
      endpoints.push_back(
          objects::endpoint(ip_of(10, 42 * 65536 + pod + 2), e == 0 ? "node-a" : "node-b"));
    }
    input.endpoint_slices.push_back(
        objects::endpoint_slice(name, {objects::port("http", 8080)}, endpoints));
  }
  return input;
}

// `updates` endpoint changes end to end (model from JSON, the diff update applied), each timed,
// after a full replace of `count` services; leaves the table removed.
std::vector<double> update_times(network::NftTable& table, int count, int updates) {
  table.remove();
  table.apply(network::build_ruleset(network::build_proxy_model(services_input(count, 0)).model));
  std::vector<double> times;
  for (int u = 1; u <= updates; ++u) {
    network::ProxyModelInput changed = services_input(count, 300000 + u);
    times.push_back(milliseconds_of([&] {
      if (!table.sync(network::build_proxy_model(changed).model)) std::abort();
    }));
  }
  table.remove();
  return times;
}

}  // namespace

int main(int argc, char** argv) {
  int repetitions = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
  int updates = argc > 2 ? std::max(1, std::atoi(argv[2])) : 50;
  std::string reason = skiff::testing::netns_unavailable_reason();
  if (!reason.empty()) {
    std::printf("skipped: %s\n", reason.c_str());
    return 0;
  }
  skiff::testing::NetworkNamespace node("bench");
  network::NftTable table(std::make_unique<network::NftCommand>(
      std::vector<std::string>{"ip", "netns", "exec", node.name(), "nft"}));

  std::printf("%-9s %9s %9s %9s %12s %13s %13s %8s %7s\n", "services", "model ms", "render ms",
              "script KB", "replace ms", "change ms", "change full", "noop ms", "rules");
  for (int count : {10, 100, 1000}) {
    network::ProxyModelInput input = services_input(count, 0);
    network::ProxyModel model;
    double model_ms = milliseconds_of([&] { model = network::build_proxy_model(input).model; });
    network::NftRuleset rules;
    std::string script;
    double render_ms = milliseconds_of([&] {
      rules = network::build_ruleset(model);
      script = network::render_ruleset(rules);
    });

    table.remove();
    double replace_ms = milliseconds_of([&] { table.apply(rules); });

    // An endpoint change end to end: model from JSON, rules, and the update in the kernel.
    std::vector<double> change;
    std::vector<double> change_full;
    for (int r = 1; r <= repetitions; ++r) {
      network::ProxyModelInput changed = services_input(count, 100000 + r);
      change.push_back(milliseconds_of([&] {
        if (!table.sync(network::build_proxy_model(changed).model)) std::abort();
      }));
      // The same change as a whole-table replace, for comparison.
      network::ProxyModelInput again = services_input(count, 200000 + r);
      change_full.push_back(milliseconds_of(
          [&] { table.replace(network::build_ruleset(network::build_proxy_model(again).model)); }));
    }
    network::ProxyModelInput last = services_input(count, 200000 + repetitions);
    double noop_ms = milliseconds_of([&] {
      if (table.sync(network::build_proxy_model(last).model)) std::abort();
    });

    auto listed = node.exec({"nft", "-a", "list", "table", "ip", "skiff"});
    size_t handles = std::count(listed.out.begin(), listed.out.end(), '#');
    std::printf("%-9d %9.2f %9.2f %9.1f %12.1f %13.1f %13.1f %8.2f %7zu\n", count, model_ms,
                render_ms, script.size() / 1024.0, replace_ms, median(change), median(change_full),
                noop_ms, handles);
  }
  table.remove();

  // The library's netlink socket is opened in the namespace of the thread that makes it.
  std::unique_ptr<network::NftTable> library_table;
  node.enter([&] {
    library_table = std::make_unique<network::NftTable>(std::make_unique<network::NftLibrary>());
  });
  std::printf("\nendpoint change, %d updates each: p50 / p99 ms\n", updates);
  std::printf("%-9s %21s %21s\n", "services", "nft -f (NftCommand)", "libnftables");
  for (int count : {10, 100, 1000}) {
    std::vector<double> command = update_times(table, count, updates);
    std::vector<double> library = update_times(*library_table, count, updates);
    std::printf("%-9d %10.1f / %8.1f %10.1f / %8.1f\n", count, percentile(command, 0.5),
                percentile(command, 0.99), percentile(library, 0.5), percentile(library, 0.99));
  }
  return 0;
}
