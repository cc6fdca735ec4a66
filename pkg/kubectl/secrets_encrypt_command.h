#pragma once
// `skiff secrets-encrypt status|rotate-keys`: asks the server (as the admin, with the usual
// kubeconfig lookup: --kubeconfig, $KUBECONFIG, /etc/skiff/skiff.yaml, ~/.kube/config) for the
// state of secrets encryption at rest, or to rotate its key. The work is the server's
// (/v1-skiff/secrets-encrypt/...); this prints it. Exit code 0 on success, 1 on any error.
#include <string>
#include <vector>

namespace skiff::kubectl {

int secrets_encrypt_command(const std::vector<std::string>& args);

}  // namespace skiff::kubectl
