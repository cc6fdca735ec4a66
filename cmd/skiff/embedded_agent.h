#pragma once
// `skiff server`'s embedded agent: the agent's flags on the server's command line, and an
// agent::Agent that dials the server it runs in. Here in cmd/ because the server and the agent
// never include each other (ARCHITECTURE.md).
#include "server/server.h"

namespace skiff::cmd {

server::ServerCommandExtensions embedded_agent_extensions();

}  // namespace skiff::cmd
