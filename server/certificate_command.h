#pragma once
#include <string>
#include <vector>

namespace skiff::server {

// `skiff certificate check|rotate [--data-dir DIR]`. Returns the exit code.
int certificate_command(const std::vector<std::string>& args);

}  // namespace skiff::server
