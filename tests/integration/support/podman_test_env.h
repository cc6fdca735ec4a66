#pragma once
// A private podman for tests and benchmarks: its own storage root, run root and tmp dir in a
// temp folder, its own API service on a socket there, the test's own containers.conf (runc,
// ulimits that fit this machine), and a busybox image built locally from busybox-static with
// `podman import` (no registry is reachable). The destructor removes every pod, container and
// image in it, stops the service and deletes the folder, also when the test failed.
//
// Nothing here is product configuration: the product gets the socket path only.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "agent/runtime/podman/podman_service.h"
#include "tests/integration/support/test_server.h"

namespace skiff::testing {

class PodmanTestEnv {
 public:
  // Why a podman test cannot run here ("" when it can): not root, podman, runc or
  // busybox-static missing.
  static std::string unavailable_reason();

  // Throws std::runtime_error when podman cannot be set up. With `netns` (a network namespace's
  // name) podman's service runs inside it, so the networks it makes (bridges, firewall rules)
  // live there: a node of a multi-node test.
  explicit PodmanTestEnv(std::string netns = "");
  ~PodmanTestEnv();
  PodmanTestEnv(const PodmanTestEnv&) = delete;
  PodmanTestEnv& operator=(const PodmanTestEnv&) = delete;

  const std::string& socket_path() const { return socket_path_; }
  // The busybox image: every busybox applet is on PATH (/bin), default command /bin/sh.
  const std::string& image() const { return image_; }
  const std::string& dir() const { return dir_.path(); }

  // Runs the podman CLI against this environment's storage.
  CommandResult podman(const std::vector<std::string>& args, int timeout_seconds = 60) const;

 private:
  void import_busybox_image();
  void remove_everything();

  TempDir dir_;
  std::string netns_;
  std::string socket_path_;
  std::string image_ = "localhost/skiff-test-busybox:1";
  std::vector<std::string> global_args_;
  std::vector<std::string> env_;
  std::unique_ptr<agent::runtime::podman::PodmanService> service_;
};

// A gtest fixture whose suite shares one PodmanTestEnv (set up once: it imports an image).
// SetUp() skips where podman cannot run and fails when the environment could not be set up;
// a derived SetUp() calls it first and returns when IsSkipped() or HasFailure().
class PodmanTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  void SetUp() override;
  static PodmanTestEnv& env();
  static bool has_env();

 private:
  static std::unique_ptr<PodmanTestEnv>& shared();
  static std::string& setup_error();
};

}  // namespace skiff::testing
