#include "agent/node_certificate_renewal.h"

#include "pkg/log/log.h"

namespace skiff::agent {

NodeCertificateRenewal::NodeCertificateRenewal(nodeclient::NodeIdentity& identity,
                                               std::chrono::milliseconds period)
    : identity_(identity), period_(period) {
  thread_ = std::thread([this] {
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, period_, [this] { return stopping_; })) {
      lock.unlock();
      try {
        identity_.renew_if_due();
      } catch (const std::exception& e) {
        log::warn("node certificate renewal failed; retrying later", {{"error", e.what()}});
      }
      lock.lock();
    }
  });
}

NodeCertificateRenewal::~NodeCertificateRenewal() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

}  // namespace skiff::agent
