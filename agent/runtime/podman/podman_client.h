#pragma once
// A blocking HTTP client for podman's REST API (the libpod API) on its unix socket, on libcurl.
//
// Contracts:
//  - Thread-safe: each call borrows a curl handle from a small pool and returns it, so calls from
//    several pod workers run in parallel and consecutive calls reuse keep-alive connections.
//  - Transport failures become RuntimeError: Unavailable (socket absent, nothing listening,
//    connection dropped), DeadlineExceeded (the call's timeout passed), Internal (the rest).
//    HTTP error statuses are NOT errors here: callers read `status` and map the body
//    (podman_parse.h's error_from_response).
//  - Paths are relative to the API root, e.g. "/containers/json?all=true".
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace skiff::agent::runtime::podman {

struct PodmanResponse {
  long status = 0;
  std::string body;
};

// Receives a response body piece by piece; return false to stop reading.
using BodyChunkCallback = std::function<bool(std::string_view chunk)>;

class PodmanClient {
 public:
  // `api_root` is the versioned prefix; v4.0.0 is the oldest libpod API with pods as used here.
  explicit PodmanClient(std::string socket_path, std::string api_root = "/v4.0.0/libpod");
  ~PodmanClient();
  PodmanClient(const PodmanClient&) = delete;
  PodmanClient& operator=(const PodmanClient&) = delete;

  const std::string& socket_path() const { return socket_path_; }

  // One request; the JSON body (if any) is sent with Content-Type application/json. A zero
  // timeout means none.
  PodmanResponse request(std::string_view method, const std::string& path,
                         std::string_view json_body = {},
                         std::chrono::milliseconds timeout = std::chrono::milliseconds(0));

  // Like request(), but a body of a successful (< 400) response goes to `on_chunk` as it arrives.
  PodmanResponse stream(std::string_view method, const std::string& path,
                        std::string_view json_body, const BodyChunkCallback& on_chunk,
                        std::chrono::milliseconds timeout = std::chrono::milliseconds(0));

 private:
  struct HandlePool;
  PodmanResponse perform(std::string_view method, const std::string& path,
                         std::string_view json_body, const BodyChunkCallback* on_chunk,
                         std::chrono::milliseconds timeout);

  std::string socket_path_;
  std::string api_root_;
  std::unique_ptr<HandlePool> pool_;
};

// Percent-encodes a query or path component (everything but RFC 3986 unreserved characters).
std::string url_encode(std::string_view text);

}  // namespace skiff::agent::runtime::podman
