#include "tests/bench/support/api_change_recorder.h"

#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <thread>

namespace skiff::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;

namespace {

// The JSON paths where `a` and `b` differ (metadata.resourceVersion and managedFields left out).
void differing_paths(const Json& a, const Json& b, const std::string& path,
                     std::set<std::string>& out) {
  if (path == "metadata.resourceVersion" || path == "metadata.managedFields") return;
  if (a.is_object() && b.is_object()) {
    std::set<std::string> keys;
    for (auto it = a.begin(); it != a.end(); ++it) keys.insert(it.key());
    for (auto it = b.begin(); it != b.end(); ++it) keys.insert(it.key());
    for (const auto& key : keys) {
      differing_paths(a.contains(key) ? a[key] : Json(), b.contains(key) ? b[key] : Json(),
                      path.empty() ? key : path + "." + key, out);
    }
    return;
  }
  if (a.is_array() && b.is_array() && a.size() == b.size()) {
    for (size_t i = 0; i < a.size(); ++i)
      differing_paths(a[i], b[i], path + "[" + std::to_string(i) + "]", out);
    return;
  }
  if (a != b) out.insert(path);
}

std::string object_key(const Json& object) {
  const Json& meta = object["metadata"];
  std::string ns = meta.value("namespace", "");
  return object.value("kind", "?") + " " + (ns.empty() ? "" : ns + "/") + meta.value("name", "?");
}

}  // namespace

// Watches one resource over a raw keep-alive connection (each event is one JSON line).
class ResourceWatch {
 public:
  ResourceWatch(int port, asio::ssl::context& tls, std::string list_path,
                std::map<std::string, Json> seed, std::string resource_version, std::mutex& mutex,
                std::map<std::string, Change>& changes)
      : socket_(io_, tls), mutex_(mutex), changes_(changes), last_(std::move(seed)) {
    socket_.next_layer().connect(
        asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<uint16_t>(port)));
    socket_.set_verify_callback(asio::ssl::host_name_verification("127.0.0.1"));
    socket_.handshake(asio::ssl::stream_base::client);
    beast::http::request<beast::http::empty_body> request{
        beast::http::verb::get,
        list_path + "?watch=1&allowWatchBookmarks=false&resourceVersion=" + resource_version, 11};
    request.set(beast::http::field::host, "127.0.0.1");
    request.set(beast::http::field::accept, "application/json");
    beast::http::write(socket_, request);
    thread_ = std::thread([this] { read_events(); });
  }
  ~ResourceWatch() {
    // Ends the blocked read (the TLS layer sees the connection end).
    ::shutdown(socket_.next_layer().native_handle(), SHUT_RDWR);
    thread_.join();
  }

 private:
  void read_events() {
    std::string pending;
    char data[65536];
    for (;;) {
      beast::error_code error;
      size_t n = socket_.read_some(asio::buffer(data), error);
      if (error || n == 0) return;
      pending.append(data, n);
      for (size_t newline; (newline = pending.find('\n')) != std::string::npos;) {
        std::string line = pending.substr(0, newline);
        pending.erase(0, newline + 1);
        if (line.empty() || line.front() != '{') continue;  // headers, chunk framing
        Json event = Json::parse(line, nullptr, false);
        if (event.is_discarded() || !event.contains("object")) continue;
        record(event.value("type", "?"), event["object"]);
      }
    }
  }

  void record(const std::string& type, const Json& object) {
    const std::string key = object_key(object);
    std::lock_guard lock(mutex_);
    Change& change = changes_[key];
    ++change.events;
    change.types.insert(type);
    auto previous = last_.find(key);
    if (previous != last_.end()) differing_paths(previous->second, object, "", change.paths);
    last_[key] = object;
  }

  asio::io_context io_;
  asio::ssl::stream<asio::ip::tcp::socket> socket_;
  std::mutex& mutex_;
  std::map<std::string, Change>& changes_;
  std::map<std::string, Json> last_;  // only this watch's thread touches it
  std::thread thread_;
};

namespace {

// Every listable+watchable resource, by its cluster-wide list path (from discovery).
std::vector<std::string> watchable_resources(const GetJson& get) {
  std::vector<std::string> group_versions = {"/api/v1"};
  Json groups = get("/apis");
  for (const auto& group : groups.value("groups", Json::array()))
    group_versions.push_back("/apis/" +
                             group["preferredVersion"]["groupVersion"].get<std::string>());
  std::vector<std::string> paths;
  for (const auto& group_version : group_versions) {
    Json list = get(group_version);
    for (const auto& resource : list.value("resources", Json::array())) {
      std::string name = resource.value("name", "");
      const Json verbs = resource.value("verbs", Json::array());
      if (name.find('/') != std::string::npos) continue;
      if (std::find(verbs.begin(), verbs.end(), "watch") == verbs.end()) continue;
      paths.push_back(group_version + "/" + name);
    }
  }
  return paths;
}

}  // namespace

ApiChangeRecorder::ApiChangeRecorder(const GetJson& get, int port, asio::ssl::context& tls) {
  for (const auto& path : watchable_resources(get)) {
    Json list = get(path);
    std::map<std::string, Json> seed;
    for (auto item : list.value("items", Json::array())) {
      // List items may lack kind and apiVersion; the watch's objects carry them.
      const std::string list_kind = list.value("kind", "?List");
      if (!item.contains("kind")) item["kind"] = list_kind.substr(0, list_kind.size() - 4);
      if (!item.contains("apiVersion")) item["apiVersion"] = list.value("apiVersion", "");
      seed[object_key(item)] = item;
    }
    watches_.push_back(std::make_unique<ResourceWatch>(
        port, tls, path, std::move(seed), list["metadata"].value("resourceVersion", "0"), mutex_,
        changes_));
  }
}

ApiChangeRecorder::~ApiChangeRecorder() = default;

std::map<std::string, Change> ApiChangeRecorder::stop() {
  watches_.clear();
  std::lock_guard lock(mutex_);
  return changes_;
}

}  // namespace skiff::bench
