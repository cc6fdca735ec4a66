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

}  // namespace
}  // namespace skiff::server
