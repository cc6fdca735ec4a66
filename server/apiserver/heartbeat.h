#pragma once
// Which updates are worth a disk write. Kubelets (and skiff agents) renew their node's Lease
// every 10 s and report node heartbeats; on a Raspberry Pi's SD card, writing each of them to
// the database is what wears the card out while nothing happens. So the API server sorts an
// update before storing it:
//  - NoOp: the stored object would not change (ignoring metadata.resourceVersion and the
//    `time` of managedFields entries). Nothing is written, no event is sent and the current
//    object is returned with its resourceVersion, as Kubernetes does.
//  - Heartbeat: only a liveness timestamp moves. A Lease (coordination.k8s.io) where only
//    spec.renewTime differs (and metadata.generation, which the API bumps for any spec
//    change); a Node where only status.conditions[*].lastHeartbeatTime differs (same conditions
//    in the same order). Stored with Store::update_volatile: readers see it at once, but it
//    reaches the disk only with the object's next real change or a clean shutdown; a crash
//    loses only the timestamp, which the next renewal sets again.
//  - StateChange: everything else, stored durably. A lease changing holder, a condition
//    changing status, a taint added: all state transitions.
// Pure functions of the two objects, no I/O.
#include "pkg/api/json.h"

namespace skiff::apiserver {

enum class UpdateKind { NoOp, Heartbeat, StateChange };

// `current` is the stored object, `desired` what the update would store (after admission).
UpdateKind classify_update(const Json& current, const Json& desired);

}  // namespace skiff::apiserver
