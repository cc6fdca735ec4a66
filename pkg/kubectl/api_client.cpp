#include "pkg/kubectl/api_client.h"

#include "pkg/api/version.h"
#include "pkg/kubectl/errors.h"

namespace skiff::kubectl {
namespace {

http::ClientOptions client_options(const Connection& connection,
                                   std::chrono::milliseconds request_timeout) {
  http::ClientOptions options = connection.tls;
  options.request_timeout = request_timeout;
  options.user_agent = std::string("skiff-kubectl/") + version::kGitVersion;
  return options;
}

// "https://127.0.0.1:6443/x" -> "127.0.0.1:6443"
std::string host_port(const std::string& url) {
  std::string rest = url;
  if (auto scheme = rest.find("://"); scheme != std::string::npos) rest = rest.substr(scheme + 3);
  if (auto slash = rest.find('/'); slash != std::string::npos) rest = rest.substr(0, slash);
  return rest;
}

}  // namespace

ApiClient::ApiClient(Connection connection, std::chrono::milliseconds request_timeout)
    : connection_(std::move(connection)), http_(client_options(connection_, request_timeout)) {}

void ApiClient::rethrow_transport(const http::HttpClientError& error) const {
  if (error.connection_refused())
    throw KubectlError("The connection to the server " + host_port(connection_.server) +
                       " was refused - did you specify the right host or port?");
  if (error.timed_out())
    throw KubectlError("error: the server at " + connection_.server + " did not answer in time (" +
                       error.detail() + "); check --request-timeout and that the server is up");
  throw KubectlError("error: cannot reach the server at " + connection_.server + ": " +
                     error.detail());
}

http::ClientResponse ApiClient::send(std::string_view method, const std::string& path,
                                     std::string_view body, const http::HeaderList& headers) {
  try {
    return http_.request(method, connection_.server + path, body, headers);
  } catch (const http::HttpClientError& error) {
    rethrow_transport(error);
  }
}

Json ApiClient::get(const std::string& path, const std::string& operation,
                    const std::string& accept) {
  auto response = send("GET", path, {}, {{"Accept", accept}});
  if (response.status >= 400) throw server_error(response.status, response.body, operation);
  Json body = Json::parse(response.body, nullptr, false);
  if (body.is_discarded())
    throw usage_error("the server answered " + operation + " with a body that is not JSON");
  return body;
}

Json ApiClient::call(std::string_view method, const std::string& path, const Json& body,
                     const std::string& content_type, const std::string& operation,
                     const std::string& context) {
  std::string text = body.is_null() ? "" : body.dump();
  auto response =
      send(method, path, text, {{"Accept", kAcceptJson}, {"Content-Type", content_type}});
  if (response.status >= 400)
    throw server_error(response.status, response.body, operation, context);
  Json out = Json::parse(response.body, nullptr, false);
  return out.is_discarded() ? Json::object() : out;
}

http::ClientResponse ApiClient::stream(const std::string& path,
                                       const http::ChunkCallback& on_chunk) {
  try {
    return http_.stream("GET", connection_.server + path, on_chunk,
                        {{"Accept", "application/json, */*"}});
  } catch (const http::HttpClientError& error) {
    rethrow_transport(error);
  }
}

void ApiClient::watch(const std::string& path, const std::string& accept,
                      const std::function<bool(const Json& event)>& on_event) {
  std::string pending;
  bool keep_going = true;
  auto on_chunk = [&](std::string_view chunk) {
    pending.append(chunk);
    std::size_t start = 0;
    for (std::size_t nl; keep_going && (nl = pending.find('\n', start)) != std::string::npos;
         start = nl + 1) {
      std::string_view line(pending.data() + start, nl - start);
      if (line.find_first_not_of(" \r\t") == std::string_view::npos) continue;
      Json event = Json::parse(line, nullptr, false);
      if (!event.is_discarded()) keep_going = on_event(event);
    }
    pending.erase(0, start);
    return keep_going;
  };
  http::ClientResponse response;
  try {
    response = http_.stream("GET", connection_.server + path, on_chunk, {{"Accept", accept}});
  } catch (const http::HttpClientError& error) {
    rethrow_transport(error);
  }
  if (response.status >= 400) throw server_error(response.status, response.body, "watch");
  if (keep_going && !pending.empty()) {
    Json event = Json::parse(pending, nullptr, false);
    if (!event.is_discarded()) on_event(event);
  }
}

}  // namespace skiff::kubectl
