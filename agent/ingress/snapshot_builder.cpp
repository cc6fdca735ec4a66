#include "agent/ingress/snapshot_builder.h"

#include <boost/asio/ip/address.hpp>

#include "agent/network/proxy_model.h"

namespace skiff::agent::ingress {

namespace {

using boost::asio::ip::tcp;

const network::ProxiedPort* find_port(const network::ProxyModel& model, const BackendRef& backend) {
  for (const auto& port : model.ports) {
    if (port.namespace_name != backend.namespace_name || port.service_name != backend.service ||
        port.protocol != network::Protocol::Tcp) {
      continue;
    }
    if (backend.port_name.empty() ? port.port == backend.port_number
                                  : port.port_name == backend.port_name) {
      return &port;
    }
  }
  return nullptr;
}

std::vector<tcp::endpoint> ready_endpoints(const network::ProxiedPort& port) {
  std::vector<tcp::endpoint> endpoints;
  // As kube-proxy picks them: ready ones, or serving terminating ones when none is ready.
  for (const auto& backend : network::usable_backends(port, false, "")) {
    boost::system::error_code error;
    auto address = boost::asio::ip::make_address(backend.ip, error);
    if (!error) endpoints.emplace_back(address, static_cast<unsigned short>(backend.port));
  }
  return endpoints;
}

}  // namespace

SnapshotBuild build_snapshot(const SnapshotInput& input, CertificateCache& certificates) {
  auto snapshot = std::make_shared<IngressSnapshot>();
  SnapshotBuild build;
  RouteTableBuild routes = build_route_table(input.ingresses);
  build.problems = std::move(routes.problems);
  snapshot->routes = std::move(routes.table);

  network::ProxyModelInput model_input;
  model_input.services = input.services;
  model_input.endpoint_slices = input.endpoint_slices;
  // Problems of Services the ingress does not use are the service proxy's to report.
  const network::ProxyModel model = network::build_proxy_model(model_input).model;
  for (const BackendRef& backend : snapshot->routes.backends()) {
    const network::ProxiedPort* port = find_port(model, backend);
    snapshot->backends[backend] = std::make_shared<const BackendEndpoints>(
        port ? ready_endpoints(*port) : std::vector<tcp::endpoint>{});
  }

  for (const TlsEntry& entry : snapshot->routes.tls()) {
    if (entry.secret_name.empty()) continue;  // hosts served with the default certificate
    const std::string key = entry.namespace_name + "/" + entry.secret_name;
    if (snapshot->certificates.count(key)) continue;
    const Json* secret = nullptr;
    for (const auto& candidate : input.secrets) {
      const Json& metadata = candidate.value("metadata", Json::object());
      if (metadata.value("namespace", "") == entry.namespace_name &&
          metadata.value("name", "") == entry.secret_name) {
        secret = &candidate;
        break;
      }
    }
    if (!secret) {
      build.problems.push_back("Ingress " + entry.ingress + ": TLS Secret " + key +
                               " not found; its hosts get the default certificate");
      continue;
    }
    try {
      snapshot->certificates[key] = certificates.context_for(*secret);
    } catch (const std::exception& error) {
      build.problems.push_back("Ingress " + entry.ingress + ": TLS Secret " + key + ": " +
                               error.what() + "; its hosts get the default certificate");
    }
  }
  certificates.drop_unused();
  build.snapshot = std::move(snapshot);
  return build;
}

}  // namespace skiff::agent::ingress
