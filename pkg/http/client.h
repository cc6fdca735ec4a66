#pragma once
// A small blocking HTTP(S) client on libcurl, for the CLI (`skiff kubectl`), probes and
// fetching manifests by URL.
//
// Contracts:
//  - One HttpClient owns one CURL handle and reuses it, so consecutive requests to the same
//    server share a keep-alive connection. A client is not thread-safe; use one per thread.
//  - Transport failures (DNS, refused, TLS, timeout) throw HttpClientError naming the method
//    and URL. HTTP error statuses are NOT exceptions: callers read `status` and the body.
//  - TLS material may be given as files or as in-memory PEM (kubeconfig `*-data` fields).
#include <chrono>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace skiff::http {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct ClientOptions {
  std::string ca_file{};           // PEM bundle to verify the server with
  std::string ca_pem{};            // ...or the PEM itself
  std::string client_cert_file{};  // mTLS client certificate (PEM)
  std::string client_cert_pem{};
  std::string client_key_file{};  // its private key (PEM)
  std::string client_key_pem{};
  std::string bearer_token{};  // sent as "Authorization: Bearer <token>"
  bool insecure_skip_tls_verify = false;
  std::chrono::milliseconds connect_timeout{10'000};
  // Whole-request limit for request(); 0 = none. Streams ignore it (a watch lasts long).
  std::chrono::milliseconds request_timeout{0};
  std::string user_agent = "skiff";
};

struct ClientResponse {
  long status = 0;
  HeaderList headers;  // in arrival order, names as sent by the server
  std::string body;
  // Case-insensitive header lookup; "" when absent.
  std::string header(std::string_view name) const;
};

class HttpClientError : public std::runtime_error {
 public:
  HttpClientError(std::string method, std::string url, int curl_code, std::string detail);
  const std::string& url() const { return url_; }
  const std::string& detail() const { return detail_; }
  int curl_code() const { return curl_code_; }
  bool connection_refused() const;  // nothing listening at the URL's host:port
  bool timed_out() const;

 private:
  std::string url_;
  std::string detail_;
  int curl_code_;
};

// Receives each piece of a streamed body as it arrives; return false to stop the stream.
using ChunkCallback = std::function<bool(std::string_view chunk)>;

class HttpClient {
 public:
  explicit HttpClient(ClientOptions options = {});
  ~HttpClient();
  HttpClient(HttpClient&&) noexcept;
  HttpClient& operator=(HttpClient&&) noexcept;
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  const ClientOptions& options() const;

  // Sends one request and reads the whole response.
  ClientResponse request(std::string_view method, const std::string& url,
                         std::string_view body = {}, const HeaderList& headers = {});

  // Sends a request and hands the body to `on_chunk` as it arrives (watch, logs -f). When the
  // status is >= 400 the body is collected into the returned response instead. Returns when
  // the server ends the body or `on_chunk` returns false.
  ClientResponse stream(std::string_view method, const std::string& url,
                        const ChunkCallback& on_chunk, const HeaderList& headers = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace skiff::http
