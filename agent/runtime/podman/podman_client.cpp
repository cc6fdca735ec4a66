#include "agent/runtime/podman/podman_client.h"

#include <curl/curl.h>

#include <mutex>
#include <vector>

#include "agent/runtime/runtime.h"
#include "pkg/http/curl_handles.h"

namespace skiff::agent::runtime::podman {
using http::CurlHandle;
using http::CurlList;

namespace {

// Idle handles kept for reuse; more than this many concurrent calls just open more.
constexpr size_t kMaxIdleHandles = 8;

struct Transfer {
  CURL* handle = nullptr;
  PodmanResponse response;
  const BodyChunkCallback* on_chunk = nullptr;
  bool stopped_by_caller = false;
};

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  std::string_view chunk(data, size * count);
  if (transfer->on_chunk) {
    long status = 0;
    curl_easy_getinfo(transfer->handle, CURLINFO_RESPONSE_CODE, &status);
    if (status < 400) {
      if (!(*transfer->on_chunk)(chunk)) {
        transfer->stopped_by_caller = true;
        return 0;  // curl aborts the transfer with CURLE_WRITE_ERROR
      }
      return chunk.size();
    }
  }
  transfer->response.body.append(chunk);
  return chunk.size();
}

ErrorCode code_for(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
      return ErrorCode::Unavailable;
    case CURLE_OPERATION_TIMEDOUT:
      return ErrorCode::DeadlineExceeded;
    default:
      return ErrorCode::Internal;
  }
}

}  // namespace

struct PodmanClient::HandlePool {
  std::mutex mutex;
  std::vector<CurlHandle> idle;

  CurlHandle take() {
    {
      std::lock_guard lock(mutex);
      if (!idle.empty()) {
        CurlHandle handle = std::move(idle.back());
        idle.pop_back();
        return handle;
      }
    }
    CurlHandle handle(curl_easy_init());
    if (!handle) throw RuntimeError(ErrorCode::Internal, "podman: curl_easy_init failed");
    return handle;
  }

  void give_back(CurlHandle handle) {
    std::lock_guard lock(mutex);
    if (idle.size() < kMaxIdleHandles) idle.push_back(std::move(handle));
  }
};

PodmanClient::PodmanClient(std::string socket_path, std::string api_root)
    : socket_path_(std::move(socket_path)),
      api_root_(std::move(api_root)),
      pool_(std::make_unique<HandlePool>()) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

PodmanClient::~PodmanClient() = default;

PodmanResponse PodmanClient::request(std::string_view method, const std::string& path,
                                     std::string_view json_body,
                                     std::chrono::milliseconds timeout) {
  return perform(method, path, json_body, nullptr, timeout);
}

PodmanResponse PodmanClient::stream(std::string_view method, const std::string& path,
                                    std::string_view json_body, const BodyChunkCallback& on_chunk,
                                    std::chrono::milliseconds timeout) {
  return perform(method, path, json_body, &on_chunk, timeout);
}

PodmanResponse PodmanClient::perform(std::string_view method, const std::string& path,
                                     std::string_view json_body, const BodyChunkCallback* on_chunk,
                                     std::chrono::milliseconds timeout) {
  CurlHandle handle = pool_->take();
  CURL* h = handle.get();
  curl_easy_reset(h);  // keeps the connection cache
  Transfer transfer;
  transfer.handle = h;
  transfer.on_chunk = on_chunk;
  char error_buffer[CURL_ERROR_SIZE] = {0};
  const std::string method_text(method);
  // The host part is ignored on a unix socket; "d" is podman's own convention.
  const std::string url = "http://d" + api_root_ + path;

  curl_easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, socket_path_.c_str());
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
  if (timeout.count() > 0)
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  if (method == "GET") {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method_text.c_str());
  }
  CurlList headers;
  if (!json_body.empty() || method == "POST") {
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(json_body.size()));
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, json_body.data());
    curl_slist* list = curl_slist_append(nullptr, "Content-Type: application/json");
    if (list) {
      curl_slist* grown = curl_slist_append(list, "Expect:");
      headers.reset(grown ? grown : list);
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  }

  const CURLcode code = curl_easy_perform(h);
  if (code != CURLE_OK && !(code == CURLE_WRITE_ERROR && transfer.stopped_by_caller)) {
    std::string detail = error_buffer[0] ? error_buffer : curl_easy_strerror(code);
    // The handle is still usable after a failed transfer.
    pool_->give_back(std::move(handle));
    throw RuntimeError(code_for(code), "podman " + method_text + " " + path + " via " +
                                           socket_path_ + ": " + detail);
  }
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &transfer.response.status);
  pool_->give_back(std::move(handle));
  return std::move(transfer.response);
}

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

}  // namespace skiff::agent::runtime::podman
