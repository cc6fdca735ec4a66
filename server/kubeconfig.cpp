#include "server/kubeconfig.h"

#include <stdexcept>

#include "pkg/api/base64.h"
#include "pkg/pki/pki.h"

namespace skiff::server {

void write_admin_kubeconfig(const std::string& path, unsigned mode, const std::string& server_url,
                            const KubeconfigCredentials& credentials) {
  // The names are k3s' ("default"), so scripts written for k3s find what they expect.
  const std::string text =
      "apiVersion: v1\n"
      "kind: Config\n"
      "clusters:\n"
      "- name: default\n"
      "  cluster:\n"
      "    certificate-authority-data: " +
      api::base64_encode(credentials.ca_pem) +
      "\n"
      "    server: " +
      server_url +
      "\n"
      "contexts:\n"
      "- name: default\n"
      "  context:\n"
      "    cluster: default\n"
      "    user: default\n"
      "current-context: default\n"
      "preferences: {}\n"
      "users:\n"
      "- name: default\n"
      "  user:\n"
      "    client-certificate-data: " +
      api::base64_encode(credentials.client_certificate_pem) +
      "\n"
      "    client-key-data: " +
      api::base64_encode(credentials.client_key_pem) + "\n";
  try {
    pki::write_file(path, text, mode);
  } catch (const pki::PkiError& e) {
    throw std::runtime_error(std::string("cannot write kubeconfig: ") + e.what());
  }
}

}  // namespace skiff::server
