#pragma once
// `skiff kubectl`: a kubectl-like client for a skiff (or any Kubernetes) API server.
#include <string>
#include <vector>

namespace skiff::kubectl {

// `args` excludes "skiff" and "kubectl". Returns the process exit code.
int kubectl_command(const std::vector<std::string>& args);

}  // namespace skiff::kubectl
