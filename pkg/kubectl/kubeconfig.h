#pragma once
// Finding and reading a kubeconfig, and turning it (plus --server/--context/-n) into what the
// client needs: a server URL, TLS/auth options and the default namespace.
//
// Lookup order: --kubeconfig, the first existing file in $KUBECONFIG, /etc/skiff/skiff.yaml,
// ~/.kube/config. `--server` alone (no file found) is enough for a plain-http server.
#include <optional>
#include <string>

#include "pkg/api/json.h"
#include "pkg/http/client.h"

namespace skiff::kubectl {

struct ConnectionFlags {
  std::string kubeconfig;  // --kubeconfig
  std::string server;      // --server / -s
  std::string context;     // --context
  std::string token;       // --token
  bool insecure_skip_tls_verify = false;
};

struct Connection {
  std::string server;          // "https://127.0.0.1:6443", no trailing slash
  std::string namespace_name;  // from the context; "default" when it names none
  std::string source;          // the kubeconfig file used, "" when none
  http::ClientOptions tls;     // CA, client cert/key, token, insecure flag
};

// Reads the kubeconfig document (already parsed) for `flags`; throws KubectlError naming what
// is missing (unknown context, cluster without server...). `base_dir` resolves relative paths.
Connection connection_from_kubeconfig(const Json& config, const ConnectionFlags& flags,
                                      const std::string& base_dir);

// Finds the kubeconfig file for `flags` (see lookup order); nullopt when none exists.
// `env_kubeconfig` is $KUBECONFIG and `home` is $HOME (passed in for tests).
std::optional<std::string> find_kubeconfig(const ConnectionFlags& flags,
                                           const std::string& env_kubeconfig,
                                           const std::string& home);

// The whole resolution against the real environment.
Connection resolve_connection(const ConnectionFlags& flags);

}  // namespace skiff::kubectl
