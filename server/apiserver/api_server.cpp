#include "server/apiserver/api_server.h"

#include <algorithm>

#include <atomic>

#include "pkg/api/errors.h"
#include "pkg/api/version.h"
#include "server/apiserver/discovery.h"
#include "server/apiserver/event_expiry.h"
#include "server/apiserver/garbage_collector.h"
#include "server/apiserver/handlers.h"
#include "server/apiserver/namespace_controller.h"
#include "server/apiserver/openapi.h"
#include "server/apiserver/pod_stream_handlers.h"
#include "server/apiserver/responses.h"
#include "server/apiserver/router.h"
#include "server/apiserver/service_allocator.h"
#include "server/apiserver/watch_timers.h"

namespace skiff::apiserver {

struct ApiServer::State {
  State(store::Store& store_in, ApiServerOptions options_in)
      : store(store_in),
        options(std::move(options_in)),
        service_allocator(store_in, options.service_network) {}
  store::Store& store;
  ApiServerOptions options;
  ServiceAllocator service_allocator;
  WatchTimers timers;
  std::unique_ptr<NamespaceController> namespaces;
  std::unique_ptr<GarbageCollector> garbage_collector;
  std::unique_ptr<EventExpiry> event_expiry;
  std::atomic<nodeservice::NodeTunnel*> tunnel{nullptr};
  StreamThreads stream_threads;  // log follow and exec pumps
};

bool RequestContext::dry_run() const {
  auto values = request.query_values("dryRun");
  for (const auto& value : values) {
    if (value != "All")
      throw api::bad_request("dryRun must be \"All\" (the only supported value), not \"" + value +
                             "\"");
  }
  return !values.empty();
}

ApiServer::ApiServer(store::Store& store, ApiServerOptions options)
    : state_(std::make_unique<State>(store, std::move(options))) {}

ApiServer::~ApiServer() {
  stop();
}

void ApiServer::start() {
  ensure_system_namespaces(state_->store);
  if (!state_->options.run_controllers) return;
  state_->namespaces = std::make_unique<NamespaceController>(state_->store);
  state_->namespaces->start();
  state_->garbage_collector = std::make_unique<GarbageCollector>(state_->store);
  state_->garbage_collector->start();
  if (const auto ttl = state_->options.event_ttl; ttl.count() > 0) {
    // A tenth of the TTL late at most, and no more than a sweep a minute.
    const auto interval = std::clamp<std::chrono::seconds>(ttl / 10, std::chrono::seconds(1),
                                                           std::chrono::seconds(60));
    state_->event_expiry =
        std::make_unique<EventExpiry>(state_->store, EventExpiryOptions{ttl, interval});
    state_->event_expiry->start();
  }
}

void ApiServer::set_node_tunnel(nodeservice::NodeTunnel* tunnel) {
  state_->tunnel = tunnel;
}

void ApiServer::stop() {
  state_->stream_threads.shutdown();
  if (state_->namespaces) state_->namespaces->stop();
  if (state_->garbage_collector) state_->garbage_collector->stop();
  if (state_->event_expiry) state_->event_expiry->stop();
}

namespace {

bool is_true(const std::string& value) {
  return value == "true" || value == "1";
}

http::Response version_response() {
  Json body = {{"major", version::kKubernetesMajor},
               {"minor", version::kKubernetesMinor},
               {"gitVersion", version::kGitVersion},
               {"gitCommit", "unknown"},
               {"gitTreeState", "clean"},
               {"buildDate", "1970-01-01T00:00:00Z"},
               {"goVersion", "none (C++20)"},
               {"compiler", "gcc"},
               {"platform", "linux/amd64"}};
  return json_response(200, body);
}

// Discovery, OpenAPI, /version and health; nullopt for everything else.
std::optional<http::Response> serve_non_resource(const http::Request& request,
                                                 const ApiServerOptions& options) {
  const auto& path = request.path;
  if (path == "/healthz" || path == "/livez" || path == "/readyz") return text_response(200, "ok");
  if (path == "/version" || path == "/version/") return version_response();
  const std::string accept = request.header("Accept");
  if (path == "/api" || path == "/api/") {
    if (wants_aggregated_discovery(accept)) {
      auto response = json_response(200, aggregated_core_discovery());
      response.headers = {{"Content-Type", kAggregatedDiscoveryContentType}};
      return response;
    }
    return json_response(200, legacy_api_versions(options.server_address));
  }
  if (path == "/apis" || path == "/apis/") {
    if (wants_aggregated_discovery(accept)) {
      auto response = json_response(200, aggregated_groups_discovery());
      response.headers = {{"Content-Type", kAggregatedDiscoveryContentType}};
      return response;
    }
    return json_response(200, legacy_api_group_list());
  }
  if (path == "/api/v1" || path == "/api/v1/") {
    return json_response(200, api_resource_list("", "v1"));
  }
  if (path.rfind("/apis/", 0) == 0) {
    std::string rest = path.substr(6);
    if (!rest.empty() && rest.back() == '/') rest.pop_back();
    auto slash = rest.find('/');
    if (slash == std::string::npos) {
      Json group = legacy_api_group(rest);
      if (group.is_null()) throw api::not_found_path(kNotFoundMessage);
      return json_response(200, group);
    }
    if (rest.find('/', slash + 1) == std::string::npos) {
      Json list = api_resource_list(rest.substr(0, slash), rest.substr(slash + 1));
      if (list.is_null()) throw api::not_found_path(kNotFoundMessage);
      return json_response(200, list);
    }
    return std::nullopt;
  }
  if (path == "/openapi/v3" || path == "/openapi/v3/")
    return json_response(200, openapi_v3_index());
  if (path.rfind("/openapi/v3/", 0) == 0) {
    Json document = openapi_v3_document(path.substr(12));
    if (document.is_null()) throw api::not_found_path(kNotFoundMessage);
    return json_response(200, document);
  }
  if (path.rfind("/api/", 0) == 0) return std::nullopt;
  throw api::not_found_path(kNotFoundMessage);
}

}  // namespace

http::HandlerResult ApiServer::handle(http::Request& request) {
  try {
    if (auto response = serve_non_resource(request, state_->options)) {
      if (request.method != "GET" && request.method != "HEAD")
        throw api::method_not_allowed(
            "the server does not allow this method on the requested resource");
      return std::move(*response);
    }
    auto path = parse_resource_path(request.path);
    if (!path) throw api::not_found_path(kNotFoundMessage);
    RequestContext context{request,
                           state_->store,
                           *path->resource,
                           path->namespace_name,
                           path->name,
                           path->subresource,
                           {},
                           &state_->service_allocator,
                           nullptr};
    const auto& method = request.method;
    if (!path->subresource.empty()) {
      if (context.resource.plural == "pods" && context.resource.group.empty()) {
        if (path->subresource == "log")
          return handle_pod_log(context, state_->tunnel.load(), state_->stream_threads);
        if (path->subresource == "exec")
          return handle_pod_exec(context, state_->tunnel.load(), state_->stream_threads);
      }
      return handle_subresource(context);
    }
    if (path->collection()) {
      if (method == "GET") {
        if (is_true(request.query_value("watch"))) return handle_watch(context, state_->timers);
        return handle_list(context);
      }
      if (method == "POST") {
        if (context.resource.namespaced && context.namespace_name.empty())
          throw api::method_not_allowed(
              "the server does not allow this method on the requested resource: create " +
              context.resource.plural + " in a namespace");
        return handle_create(context);
      }
      if (method == "DELETE") return handle_delete_collection(context);
      throw api::method_not_allowed("the server does not allow this method (" + method +
                                    ") on the requested resource");
    }
    if (method == "GET") return handle_get(context);
    if (method == "PUT") return handle_update(context);
    if (method == "PATCH") return handle_patch(context);
    if (method == "DELETE") return handle_delete(context);
    throw api::method_not_allowed("the server does not allow this method (" + method +
                                  ") on the requested resource");
  } catch (...) {
    return current_error_response();
  }
}

}  // namespace skiff::apiserver
