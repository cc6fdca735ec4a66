#include "pkg/http/client.h"

#include <curl/curl.h>

#include <algorithm>
#include <mutex>

#include "pkg/http/curl_handles.h"
#include "pkg/http/request.h"  // iequals

namespace skiff::http {

namespace {

void global_init_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

// Per-transfer state the curl callbacks write into.
struct Transfer {
  CURL* handle = nullptr;
  ClientResponse response;
  const ChunkCallback* on_chunk = nullptr;  // null: collect the body
  bool stopped_by_caller = false;
};

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {
    transfer->response.headers.clear();  // a new response (after 100-continue or a redirect)
  } else if (auto colon = line.find(':'); colon != std::string_view::npos) {
    transfer->response.headers.emplace_back(std::string(trim(line.substr(0, colon))),
                                            std::string(trim(line.substr(colon + 1))));
  }
  return size * count;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  std::string_view chunk(data, size * count);
  if (transfer->on_chunk) {
    long status = 0;
    curl_easy_getinfo(transfer->handle, CURLINFO_RESPONSE_CODE, &status);
    if (status < 400) {
      if (!(*transfer->on_chunk)(chunk)) {
        transfer->stopped_by_caller = true;
        return 0;  // makes curl abort the transfer with CURLE_WRITE_ERROR
      }
      return chunk.size();
    }
  }
  transfer->response.body.append(chunk);
  return chunk.size();
}

void set_blob(CURL* handle, CURLoption option, const std::string& pem) {
  curl_blob blob{const_cast<char*>(pem.data()), pem.size(), CURL_BLOB_COPY};
  curl_easy_setopt(handle, option, &blob);
}

}  // namespace

std::string ClientResponse::header(std::string_view name) const {
  for (const auto& [key, value] : headers)
    if (iequals(key, name)) return value;
  return "";
}

HttpClientError::HttpClientError(std::string method, std::string url, int curl_code,
                                 std::string detail)
    : std::runtime_error(method + " " + url + ": " + detail),
      url_(std::move(url)),
      detail_(std::move(detail)),
      curl_code_(curl_code) {}

bool HttpClientError::connection_refused() const {
  return curl_code_ == CURLE_COULDNT_CONNECT;
}
bool HttpClientError::timed_out() const {
  return curl_code_ == CURLE_OPERATION_TIMEDOUT;
}

struct HttpClient::Impl {
  ClientOptions options;
  CurlHandle handle;

  ClientResponse perform(std::string_view method, const std::string& url, std::string_view body,
                         const HeaderList& headers, const ChunkCallback* on_chunk) {
    CURL* h = handle.get();
    curl_easy_reset(h);  // keeps the connection cache, so keep-alive survives
    Transfer transfer;
    transfer.handle = h;
    transfer.on_chunk = on_chunk;
    char error_buffer[CURL_ERROR_SIZE] = {0};
    const std::string method_text(method);

    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_USERAGENT, options.user_agent.c_str());
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &transfer);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &transfer);
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");  // accept whatever curl can decode
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(options.connect_timeout.count()));
    if (!on_chunk && options.request_timeout.count() > 0)
      curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(options.request_timeout.count()));
    if (on_chunk) curl_easy_setopt(h, CURLOPT_BUFFERSIZE, 16384L);

    if (method == "GET") {
      curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else if (method == "HEAD") {
      curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else {
      curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method_text.c_str());
    }
    if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data());
      if (method == "GET") curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "GET");
    }

    CurlList header_list;
    auto add_header = [&](const std::string& line) {
      curl_slist* grown = curl_slist_append(header_list.get(), line.c_str());
      if (grown) {
        (void)header_list.release();
        header_list.reset(grown);
      }
    };
    add_header("Expect:");  // no 100-continue round trip for bodies
    for (const auto& [name, value] : headers) add_header(name + ": " + value);
    if (!options.bearer_token.empty()) add_header("Authorization: Bearer " + options.bearer_token);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, header_list.get());

    if (options.insecure_skip_tls_verify) {
      curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (!options.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, options.ca_file.c_str());
    if (!options.ca_pem.empty()) set_blob(h, CURLOPT_CAINFO_BLOB, options.ca_pem);
    if (!options.client_cert_file.empty())
      curl_easy_setopt(h, CURLOPT_SSLCERT, options.client_cert_file.c_str());
    if (!options.client_cert_pem.empty())
      set_blob(h, CURLOPT_SSLCERT_BLOB, options.client_cert_pem);
    if (!options.client_key_file.empty())
      curl_easy_setopt(h, CURLOPT_SSLKEY, options.client_key_file.c_str());
    if (!options.client_key_pem.empty()) set_blob(h, CURLOPT_SSLKEY_BLOB, options.client_key_pem);

    CURLcode code = curl_easy_perform(h);
    if (code != CURLE_OK && !(code == CURLE_WRITE_ERROR && transfer.stopped_by_caller)) {
      std::string detail = error_buffer[0] ? error_buffer : curl_easy_strerror(code);
      throw HttpClientError(method_text, url, static_cast<int>(code), detail);
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &transfer.response.status);
    return std::move(transfer.response);
  }
};

HttpClient::HttpClient(ClientOptions options) : impl_(std::make_unique<Impl>()) {
  global_init_once();
  impl_->options = std::move(options);
  impl_->handle.reset(curl_easy_init());
  if (!impl_->handle) throw std::runtime_error("curl_easy_init failed");
}

HttpClient::~HttpClient() = default;
HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;

const ClientOptions& HttpClient::options() const {
  return impl_->options;
}

ClientResponse HttpClient::request(std::string_view method, const std::string& url,
                                   std::string_view body, const HeaderList& headers) {
  return impl_->perform(method, url, body, headers, nullptr);
}

ClientResponse HttpClient::stream(std::string_view method, const std::string& url,
                                  const ChunkCallback& on_chunk, const HeaderList& headers) {
  return impl_->perform(method, url, {}, headers, &on_chunk);
}

}  // namespace skiff::http
