#pragma once
// `skiff token create|list|delete`: short-lived join tokens, as kubeadm's `kubeadm token`.
// A token is a Kubernetes bootstrap token stored as a Secret (pkg/api/bootstrap_token_secret.h)
// and handed out in the k3s join form K10<sha256 of the server's CA bundle>::<id>.<secret>
// (pkg/pki/join_token.h), so `skiff agent --token` both pins the server and authenticates.
//
//   create [--ttl 24h] [--description TEXT]   prints the token alone on stdout
//   list                                      ids, TTLs, expiry, usages; never a secret
//   delete ID...                              by id, id.secret or the full K10 token
//
// Everything goes through the API as the admin (kubeconfig: --kubeconfig, $KUBECONFIG,
// /etc/skiff/skiff.yaml, ~/.kube/config), so the server validates and authorizes it; the CA
// bundle is read from <server>/cacerts. Exit codes: 0 success, 1 the server or the network
// failed (the Status message is printed), 2 bad command line.
#include <string>
#include <vector>

namespace skiff::kubectl {

int token_command(const std::vector<std::string>& args);

}  // namespace skiff::kubectl
