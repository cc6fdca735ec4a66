#pragma once
// The address pods and other nodes reach this server at (the `kubernetes` Endpoints): the bind
// address when it names one, else the first non-loopback IPv4 address of the host (loopback
// when there is none).
#include <string>

namespace skiff::server {

std::string advertise_address(const std::string& bind_address);

}  // namespace skiff::server
