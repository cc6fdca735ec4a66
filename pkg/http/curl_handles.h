#pragma once
// Owning handles for libcurl's easy handles and header lists, shared by skiff's two libcurl
// clients (http::HttpClient and the agent's podman client).
#include <curl/curl.h>

#include <memory>

namespace skiff::http {

struct CurlHandleDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
using CurlHandle = std::unique_ptr<CURL, CurlHandleDeleter>;

struct CurlListDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using CurlList = std::unique_ptr<curl_slist, CurlListDeleter>;

}  // namespace skiff::http
