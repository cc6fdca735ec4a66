#pragma once
// The agent's flags, shared by `skiff agent` and `skiff server` (which runs an agent too), so
// both spell them the same way (k3s's names where k3s has one).
#include <stdexcept>

#include "agent/agent_config.h"
#include "pkg/util/flags.h"

namespace skiff::agent {

// `for_server`: the embedded agent dials its own server, so --server and --token are not
// declared (the server's own --token is the join token).
void add_agent_flags(util::Flags& flags, bool for_server);

// Throws util::FlagError with a message naming the flag when a value is wrong.
AgentConfig agent_config_from_flags(const util::Flags& flags, bool for_server);

}  // namespace skiff::agent
