#include "server/server.h"

#include <iostream>

namespace skiff::server {

// Placeholder until the API server lands.
int run(const ServerConfig& config) {
  std::cerr << "skiff server: not implemented yet\n";
  return 1;
}

}  // namespace skiff::server
