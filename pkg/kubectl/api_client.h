#pragma once
// The CLI's view of the API server: JSON requests on paths relative to the server URL, with
// transport failures and Status answers turned into KubectlErrors worded like kubectl's.
#include <chrono>
#include <functional>
#include <string>

#include "pkg/api/json.h"
#include "pkg/http/client.h"
#include "pkg/kubectl/kubeconfig.h"

namespace skiff::kubectl {

inline constexpr const char* kAcceptJson = "application/json";
inline constexpr const char* kAcceptTable =
    "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s."
    "io,application/json";

class ApiClient {
 public:
  ApiClient(Connection connection, std::chrono::milliseconds request_timeout);

  const std::string& server() const { return connection_.server; }
  const Connection& connection() const { return connection_; }

  // One request; any HTTP status is returned. Transport failures throw KubectlError
  // ("The connection to the server host:port was refused - ...").
  http::ClientResponse send(std::string_view method, const std::string& path,
                            std::string_view body = {}, const http::HeaderList& headers = {});

  // GET returning the JSON body; throws ServerError (>= 400). `operation` words the request
  // for non-Status error bodies, e.g. "get deployments.apps web".
  Json get(const std::string& path, const std::string& operation,
           const std::string& accept = kAcceptJson);
  // A request with a JSON body; throws ServerError (>= 400) with `context` before the message.
  Json call(std::string_view method, const std::string& path, const Json& body,
            const std::string& content_type, const std::string& operation,
            const std::string& context = "");

  // GET whose body is handed to `on_chunk` as it arrives (logs -f); returns the response, whose
  // body holds the error when the status is >= 400. Transport failures throw KubectlError.
  http::ClientResponse stream(const std::string& path, const http::ChunkCallback& on_chunk);

  // Streams a watch (newline-delimited JSON events) and hands each event to `on_event`, which
  // returns false to stop. Returns when the server ends the stream.
  void watch(const std::string& path, const std::string& accept,
             const std::function<bool(const Json& event)>& on_event);

 private:
  [[noreturn]] void rethrow_transport(const http::HttpClientError& error) const;

  Connection connection_;
  http::HttpClient http_;
};

}  // namespace skiff::kubectl
