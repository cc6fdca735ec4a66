#pragma once
// `skiff check-config`: checks this host for what skiff needs (host_probe.h gathers, host_checks.h
// judges) and prints one line per check with the fix for each problem.
// Exit status: 0 nothing MISSING (warnings allowed), 1 something MISSING, 2 bad usage.
#include <string>
#include <vector>

namespace skiff::agent::hostcheck {

int check_config_command(const std::vector<std::string>& args);

}  // namespace skiff::agent::hostcheck
