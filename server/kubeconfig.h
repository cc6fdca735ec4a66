#pragma once
// The admin kubeconfig that `skiff server` writes (default /etc/skiff/skiff.yaml), usable
// unchanged by the real kubectl and by `skiff kubectl`: the server CA, the admin's client
// certificate and key, all embedded (*-data), so the file alone is the credential (mode 0600).
#include <string>

namespace skiff::server {

struct KubeconfigCredentials {
  std::string ca_pem;
  std::string client_certificate_pem;
  std::string client_key_pem;
};

// Writes atomically (temp file + fsync + rename) with `mode`; creates the parent directory.
// Throws std::runtime_error naming the path on failure.
void write_admin_kubeconfig(const std::string& path, unsigned mode, const std::string& server_url,
                            const KubeconfigCredentials& credentials);

}  // namespace skiff::server
