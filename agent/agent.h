#pragma once
// `skiff agent`: the node. It joins a server, runs the pods bound to it and reports status.
// Until the agent issue lands, this only validates its flags and explains that it is not
// available yet.
#include <string>
#include <vector>

namespace skiff::agent {

int agent_command(const std::vector<std::string>& args);

}  // namespace skiff::agent
