#pragma once
// What the agent says about its machine when it registers the Node: addresses, capacity,
// nodeInfo and conditions, read from the host (/proc, uname, /etc/os-release) once at start.
#include <string>

#include "agent/runtime/runtime.h"
#include "pkg/api/json.h"

namespace skiff::agent {

// The hostname, lower-cased (node names are DNS subdomains).
std::string default_node_name();

// The IPv4 address the host would use to reach the outside world (the default route's source
// address; nothing is sent), or 127.0.0.1 when the host has no route.
std::string detect_node_ip();

// The NodeStatus: capacity and allocatable (cpu, memory, pods, ephemeral-storage), addresses
// (InternalIP, Hostname), nodeInfo and conditions (Ready, and the pressure conditions False).
Json node_status(const std::string& node_ip, const runtime::RuntimeVersion& runtime);

// The `memory` quantity from /proc/meminfo's MemTotal ("8026956Ki"); pure for tests.
std::string memory_quantity_from_meminfo(const std::string& meminfo);

}  // namespace skiff::agent
