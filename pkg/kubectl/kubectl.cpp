#include "pkg/kubectl/kubectl.h"

#include <iostream>

namespace skiff::kubectl {

// Placeholder until the CLI lands.
int kubectl_command(const std::vector<std::string>& args) {
  std::cerr << "skiff kubectl: not implemented yet\n";
  return 1;
}

}  // namespace skiff::kubectl
