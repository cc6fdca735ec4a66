#pragma once
// systemd's service notification protocol (sd_notify(3)) without libsystemd: a unit with
// Type=notify waits for "READY=1" on the datagram socket named by $NOTIFY_SOCKET before it counts
// the service as started (and `systemctl start` returns). skiff sends it once the API answers.
//
// Contracts:
//  - No-op (returns false) when NOTIFY_SOCKET is unset or empty: outside systemd, or under a
//    unit of another Type, nothing happens.
//  - A name starting with '@' is an abstract socket (the '@' stands for the leading NUL); other
//    names must be absolute paths. Anything else, a name too long for sockaddr_un, or a failing
//    send returns false: a notification is best-effort and never throws or blocks.
//  - The variable is left in place (children that are not services do not inherit meaning from
//    it; skiff starts none that speak the protocol).
#include <string>
#include <string_view>

namespace skiff::util {

// Sends `state` (one or more "NAME=value" lines) to the socket named `socket_name`. True when the
// whole datagram was sent.
bool sd_notify_to(const std::string& socket_name, std::string_view state);

// Sends `state` to $NOTIFY_SOCKET; false (and nothing sent) when it is unset.
bool sd_notify(std::string_view state);

// The usual messages.
inline bool sd_notify_ready() {
  return sd_notify("READY=1");
}
inline bool sd_notify_stopping() {
  return sd_notify("STOPPING=1");
}
bool sd_notify_status(std::string_view status);  // "STATUS=<status>", newlines made spaces

}  // namespace skiff::util
