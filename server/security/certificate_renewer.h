#pragma once
// Keeps the server's certificates fresh while it runs: every `period` it refreshes
// ClusterCertificates (renewing leaves near expiry, picking up files replaced by
// `skiff certificate rotate`) and tells `on_change` what changed, so the HTTPS listener serves
// the new certificate from the next connection on and the admin kubeconfig is rewritten.
// No restart needed. A failed refresh is logged and retried next period; what is served stays.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "server/security/cluster_certificates.h"

namespace skiff::security {

class CertificateRenewer {
 public:
  using OnChange = std::function<void(const std::vector<std::string>& changed)>;
  CertificateRenewer(ClusterCertificates& certificates, std::chrono::milliseconds period,
                     OnChange on_change);
  ~CertificateRenewer();  // stops and joins
  CertificateRenewer(const CertificateRenewer&) = delete;
  CertificateRenewer& operator=(const CertificateRenewer&) = delete;

 private:
  void run();

  ClusterCertificates& certificates_;
  const std::chrono::milliseconds period_;
  OnChange on_change_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace skiff::security
