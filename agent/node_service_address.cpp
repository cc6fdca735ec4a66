#include "agent/node_service_address.h"

#include "pkg/http/client.h"
#include "pkg/log/log.h"

namespace skiff::agent {

std::optional<std::string> url_host(const std::string& url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return std::nullopt;
  const std::string rest = url.substr(scheme_end + 3);
  const std::string authority = rest.substr(0, rest.find('/'));
  if (authority.empty()) return std::nullopt;
  if (authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string::npos) return std::nullopt;
    return authority.substr(0, close + 1);
  }
  const std::string host = authority.substr(0, authority.find(':'));
  if (host.empty()) return std::nullopt;
  return host;
}

std::string discover_node_service(const std::string& server_url, const std::string& ca_pem) {
  const std::string host = url_host(server_url).value_or("127.0.0.1");
  int port = kDefaultNodeServicePort;
  try {
    http::ClientOptions options;
    options.ca_pem = ca_pem;
    options.connect_timeout = std::chrono::seconds(5);
    options.request_timeout = std::chrono::seconds(5);
    http::HttpClient client(options);
    std::string base = server_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    const auto response = client.request("GET", base + "/v1-skiff/node-service");
    if (response.status == 200) {
      port = Json::parse(response.body).value("port", kDefaultNodeServicePort);
    }
  } catch (const std::exception& error) {
    log::debug("cannot ask the server for its node service port; trying the default",
               {{"server", server_url}, {"error", error.what()}});
  }
  return host + ":" + std::to_string(port);
}

nodeclient::ChannelFactory node_service_channels(const AgentConfig& config,
                                                 nodeclient::NodeIdentity& identity) {
  return [&identity, address = config.node_service_address, server_url = config.server_url] {
    const nodeclient::NodeCredentials credentials = identity.ensure();
    const std::string target =
        address.empty() ? discover_node_service(server_url, credentials.ca_pem) : address;
    return nodeclient::mutual_tls_channel(target, [credentials] { return credentials; })();
  };
}

}  // namespace skiff::agent
