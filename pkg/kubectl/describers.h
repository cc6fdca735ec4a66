#pragma once
// kubectl-style `describe` reports. Pure functions of the object (and its events) so they can be
// tested without a server; the text is aligned like kubectl's (tabwriter, padding 2).
#include <string>

#include "pkg/api/json.h"

namespace skiff::kubectl {

class Context;

// The report for `object` (Pod, Deployment, ReplicaSet, Service, Node, Namespace, ConfigMap,
// Secret, anything else generically), ending with the "Events:" section built from `events`
// (an EventList, or null when events were not fetched).
std::string describe_object(const Json& object, const Json& events);

// The events about `object` (by involvedObject name/namespace/uid); null when the server has
// none to offer.
Json fetch_events(Context& ctx, const Json& object);

}  // namespace skiff::kubectl
