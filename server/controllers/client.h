#pragma once
// How controllers and the scheduler write: through the API, exactly as any other client, so
// every write passes admission (defaulting, validation, resourceVersion compare-and-swap) and
// reaches watchers like a kubectl write would. Reads come from informers (informer.h).
//
// Client is one method; the verbs below are thin helpers that build paths and bodies. Every
// failure is thrown as api::ApiError with the Status code the API answered (409 Conflict means:
// requeue and read again).
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "pkg/api/json.h"
#include "pkg/api/resources.h"
#include "pkg/http/server.h"

namespace skiff::controllers {

class Client {
 public:
  virtual ~Client() = default;
  // One request: `path` is an API path with its query ("/api/v1/namespaces/x/pods?dryRun=All").
  // Returns the decoded JSON body of a 2xx answer; throws api::ApiError otherwise.
  virtual Json request(std::string_view method, const std::string& path, const Json* body,
                       std::string_view content_type = "application/json") = 0;

  // request() for a caller that needs only to know the write succeeded (the event recorder):
  // throws as request() does, but a 2xx answer's body is not decoded. The default is request().
  virtual void send(std::string_view method, const std::string& path, const Json* body,
                    std::string_view content_type = "application/json");

  // How request_async ends: the decoded body of a 2xx answer, or (error set) what request()
  // would have thrown.
  using AnswerDone = std::function<void(Json body, std::exception_ptr error)>;
  // request() without holding this thread while a write commits: `done` is called exactly
  // once, on this thread or on the one that completes the write (the store's writer: `done`
  // must then be quick and must not make a synchronous request). The default is request(),
  // then `done`.
  virtual void request_async(std::string_view method, const std::string& path, const Json* body,
                             AnswerDone done);
};
using ClientPtr = std::unique_ptr<Client>;

// A Client that hands requests straight to the API server's handler in this process (no socket,
// no HTTP parsing), as the server's own identity. The handler must outlive the client.
class InProcessClient : public Client {
 public:
  explicit InProcessClient(http::Handler handler, std::string user_agent = "skiff-controller");
  Json request(std::string_view method, const std::string& path, const Json* body,
               std::string_view content_type) override;
  void send(std::string_view method, const std::string& path, const Json* body,
            std::string_view content_type) override;
  // A write the handler answers later (a create, a binding) completes `done` on the store's
  // writer thread.
  void request_async(std::string_view method, const std::string& path, const Json* body,
                     AnswerDone done) override;

 private:
  http::Request make_request(std::string_view method, const std::string& path, const Json* body,
                             std::string_view content_type) const;

  http::Handler handler_;
  std::string user_agent_;
};

// ---- paths --------------------------------------------------------------------------------------

// "/apis/apps/v1/namespaces/<ns>/deployments" or "/api/v1/nodes" (cluster-scoped).
std::string collection_path(const api::ResourceInfo& resource, const std::string& namespace_name);
// collection_path + "/<name>" [+ "/<subresource>"].
std::string object_path(const api::ResourceInfo& resource, const std::string& namespace_name,
                        const std::string& name, const std::string& subresource = "");

// ---- verbs --------------------------------------------------------------------------------------
// `object` carries apiVersion/kind/metadata; its namespace and name pick the path.

Json create(Client& client, const api::ResourceInfo& resource, const Json& object);
// PUT with the object's metadata.resourceVersion (409 when stale).
Json update(Client& client, const api::ResourceInfo& resource, const Json& object);
Json update_status(Client& client, const api::ResourceInfo& resource, const Json& object);
// A JSON merge patch (RFC 7386); `subresource` "" or "status".
Json merge_patch(Client& client, const api::ResourceInfo& resource,
                 const std::string& namespace_name, const std::string& name, const Json& patch,
                 const std::string& subresource = "");
// DELETE with optional preconditions (uid) and grace period (-1 = the object's default).
// A 404 is not an error (already gone): returns false.
bool remove(Client& client, const api::ResourceInfo& resource, const std::string& namespace_name,
            const std::string& name, const std::string& precondition_uid = "",
            int64_t grace_period_seconds = -1);

const api::ResourceInfo& resource_of(std::string_view api_version, std::string_view kind);
// The resources controllers use, looked up once.
const api::ResourceInfo& pods_resource();
const api::ResourceInfo& nodes_resource();
const api::ResourceInfo& replicasets_resource();
const api::ResourceInfo& deployments_resource();
const api::ResourceInfo& events_resource();
const api::ResourceInfo& leases_resource();

// True for an ApiError with this HTTP code.
bool is_api_error(const std::exception& error, int code);

}  // namespace skiff::controllers
