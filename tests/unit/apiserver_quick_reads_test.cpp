// Which requests the HTTPS server answers on its I/O thread: reads from memory only, never a
// watch or a pod stream that waits on a node.
#include <gtest/gtest.h>

#include "server/apiserver/quick_reads.h"

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

TEST(QuickReads, WritesGoToTheWorkers) {
  for (const char* method : {"POST", "PUT", "PATCH", "DELETE"}) {
    EXPECT_FALSE(is_quick_read(request(method, "/api/v1/namespaces/default/configmaps"))) << method;
  }
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
