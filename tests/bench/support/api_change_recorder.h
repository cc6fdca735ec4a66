#pragma once
// For benchmarks: records what changes through the API while a cluster runs. Watches every
// listable and watchable resource (found through discovery) from its current state and
// notes, per object, how many events arrived, of which types, and which JSON paths moved
// (resourceVersion and managedFields left out).
#include <boost/asio/ssl/context.hpp>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "pkg/api/json.h"

namespace skiff::bench {

struct Change {
  int events = 0;
  std::set<std::string> types;
  std::set<std::string> paths;
};

// GET of an API path, answered as JSON (throws on failure).
using GetJson = std::function<Json(const std::string& path)>;

class ResourceWatch;

class ApiChangeRecorder {
 public:
  // Lists each resource through `get`, then watches it over its own TLS connection to the
  // server on 127.0.0.1:`port`.
  ApiChangeRecorder(const GetJson& get, int port, boost::asio::ssl::context& tls);
  ~ApiChangeRecorder();
  ApiChangeRecorder(const ApiChangeRecorder&) = delete;
  ApiChangeRecorder& operator=(const ApiChangeRecorder&) = delete;

  size_t resources() const { return watches_.size(); }
  // Ends the watches; the changes by object ("<Kind> <namespace>/<name>").
  std::map<std::string, Change> stop();

 private:
  std::mutex mutex_;
  std::map<std::string, Change> changes_;
  std::vector<std::unique_ptr<ResourceWatch>> watches_;
};

}  // namespace skiff::bench
