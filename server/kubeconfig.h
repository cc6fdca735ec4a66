#pragma once
// The admin kubeconfig that `skiff server` writes (default /etc/skiff/skiff.yaml), usable
// unchanged by the real kubectl and by `skiff kubectl`.
#include <string>

namespace skiff::server {

// Writes atomically (temp file + rename) with `mode`; creates the parent directory (0755).
// Throws std::runtime_error naming the path on failure.
void write_admin_kubeconfig(const std::string& path, unsigned mode, const std::string& server_url);

}  // namespace skiff::server
