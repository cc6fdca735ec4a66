#include "server/security/certificate_renewer.h"

#include "pkg/log/log.h"
#include "pkg/util/thread_name.h"

namespace skiff::security {

CertificateRenewer::CertificateRenewer(ClusterCertificates& certificates,
                                       std::chrono::milliseconds period, OnChange on_change)
    : certificates_(certificates), period_(period), on_change_(std::move(on_change)) {
  thread_ = std::thread([this] {
    util::name_this_thread("cert-renewer");
    run();
  });
}

CertificateRenewer::~CertificateRenewer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void CertificateRenewer::run() {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, period_, [this] { return stopping_; })) {
    lock.unlock();
    try {
      const std::vector<std::string> changed = certificates_.refresh();
      if (!changed.empty()) {
        std::string what;
        for (const auto& name : changed) what += (what.empty() ? "" : ",") + name;
        log::info("certificates changed; serving the new ones", {{"changed", what}});
        on_change_(changed);
      }
    } catch (const std::exception& e) {
      log::error("certificate refresh failed; keeping the current certificates",
                 {{"error", e.what()}});
    }
    lock.lock();
  }
}

}  // namespace skiff::security
