#pragma once
// Waiting in integration tests for what a test cannot be told about (a pod's status written by a
// controller, a container podman reports): poll with a deadline, never a bare sleep.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string>
#include <thread>

namespace skiff::testing {

// Whether `condition` held within `timeout` (checked every 50 ms, and once more at the end).
inline bool eventually(const std::function<bool()>& condition,
                       std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return condition();
}

// eventually(), recording a test failure that names `what` when it did not hold.
inline bool wait_until(const std::function<bool()>& condition, const std::string& what,
                       std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  if (eventually(condition, timeout)) return true;
  ADD_FAILURE() << "timed out waiting for: " << what;
  return false;
}

}  // namespace skiff::testing
