// Which requests the HTTPS server answers on its I/O thread: reads from memory and creates
// (answered when their write commits), never a watch, a pod stream that waits on a node, or a
// write that waits for its commit.
#include <gtest/gtest.h>

#include "server/apiserver/io_thread_requests.h"

namespace skiff::apiserver {
namespace {

http::Request request(const std::string& method, const std::string& target) {
  http::Request request;
  request.method = method;
  request.target = target;
  http::parse_target(target, request);
  return request;
}

TEST(QuickReads, PlainReadsAreQuick) {
  EXPECT_TRUE(is_quick_read(request("GET", "/api/v1/namespaces/default/pods/web")));
  EXPECT_TRUE(is_quick_read(request("GET", "/api/v1/namespaces/default/pods?limit=500")));
  EXPECT_TRUE(is_quick_read(request("GET", "/apis/apps/v1")));
  EXPECT_TRUE(is_quick_read(request("HEAD", "/healthz")));
  EXPECT_TRUE(is_quick_read(request("GET", "/api/v1/pods?watch=false")));
  EXPECT_TRUE(is_quick_read(request("GET", "/api/v1/namespaces/default/pods/web/status")));
}

TEST(QuickReads, WritesAreNotReads) {
  for (const char* method : {"POST", "PUT", "PATCH", "DELETE"}) {
    EXPECT_FALSE(is_quick_read(request(method, "/api/v1/namespaces/default/configmaps"))) << method;
  }
}

TEST(IoThreadRequests, CreatesOnCollectionsAreDeferred) {
  EXPECT_TRUE(runs_on_io_thread(request("POST", "/api/v1/namespaces/default/configmaps")));
  EXPECT_TRUE(runs_on_io_thread(request("POST", "/api/v1/namespaces/default/pods?dryRun=All")));
  EXPECT_TRUE(runs_on_io_thread(request("POST", "/apis/apps/v1/namespaces/ns/deployments")));
  EXPECT_TRUE(runs_on_io_thread(request("POST", "/api/v1/namespaces")));
}

TEST(IoThreadRequests, WritesThatWaitGoToTheWorkers) {
  // Updates, patches and deletes wait for their commit on the thread that runs them.
  for (const char* method : {"PUT", "PATCH", "DELETE"}) {
    EXPECT_FALSE(runs_on_io_thread(request(method, "/api/v1/namespaces/default/configmaps/c")))
        << method;
  }
  // A POST on a subresource (binding, eviction) is a synchronous write.
  EXPECT_FALSE(runs_on_io_thread(request("POST", "/api/v1/namespaces/default/pods/p/binding")));
  EXPECT_FALSE(runs_on_io_thread(request("POST", "/api/v1/namespaces/default/pods/p/eviction")));
  // Ingress admission reads the IngressClasses from the database.
  EXPECT_FALSE(runs_on_io_thread(
      request("POST", "/apis/networking.k8s.io/v1/namespaces/default/ingresses")));
  // Not a resource: the worker answers.
  EXPECT_FALSE(runs_on_io_thread(request("POST", "/api/v1/namespaces/default/nosuchthings")));
  EXPECT_FALSE(runs_on_io_thread(request("POST", "/v1-skiff/node-certificate")));
}

TEST(QuickReads, WatchesAndNodeStreamsGoToTheWorkers) {
  EXPECT_FALSE(is_quick_read(request("GET", "/api/v1/pods?watch=1")));
  EXPECT_FALSE(is_quick_read(request("GET", "/api/v1/pods?watch=true&resourceVersion=5")));
  EXPECT_FALSE(is_quick_read(request("GET", "/api/v1/namespaces/default/pods/web/log")));
  EXPECT_FALSE(is_quick_read(request("GET", "/api/v1/namespaces/default/pods/web/exec?c=x")));
  EXPECT_FALSE(is_quick_read(request("GET", "/api/v1/namespaces/default/pods/web/attach")));
  EXPECT_FALSE(is_quick_read(request("GET", "/api/v1/namespaces/default/pods/web/portforward")));
  EXPECT_FALSE(is_quick_read(request("GET", "/api/v1/nodes/n1/proxy/metrics")));
}

}  // namespace
}  // namespace skiff::apiserver
