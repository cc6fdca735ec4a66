#include <gtest/gtest.h>

#include "server/server.h"

namespace skiff::server {
namespace {

// Bad flags are refused with exit code 2 before anything starts.
TEST(ServerFlags, RefusesBadValues) {
  EXPECT_EQ(server_command({"--write-kubeconfig-mode", "999"}), 2);
  EXPECT_EQ(server_command({"--write-kubeconfig-mode", "rw"}), 2);
  EXPECT_EQ(server_command({"--https-listen-port", "70000"}), 2);
  EXPECT_EQ(server_command({"--https-listen-port", "x"}), 2);
  EXPECT_EQ(server_command({"--log-level", "loud"}), 2);
  EXPECT_EQ(server_command({"--datastore-endpoint", "http://etcd:2379"}), 2);
  EXPECT_EQ(server_command({"--no-such-flag"}), 2);
  EXPECT_EQ(server_command({"extra-argument"}), 2);
  EXPECT_EQ(server_command({"--network-backend", "flannel"}), 2);
  EXPECT_EQ(server_command({"--cluster-domain", "Not A Domain"}), 2);
}

// --event-ttl takes a duration as kube-apiserver's flag does; anything else says so.
TEST(ServerFlags, EventTtlMustBeADuration) {
  for (const char* bad : {"soon", "-1h", "1h-5m", ""}) {
    ::testing::internal::CaptureStderr();
    EXPECT_EQ(server_command({"--event-ttl", bad}), 2) << bad;
    EXPECT_NE(
        ::testing::internal::GetCapturedStderr().find("--event-ttl must be a duration such as 1h"),
        std::string::npos)
        << bad;
  }
}

}  // namespace
}  // namespace skiff::server
