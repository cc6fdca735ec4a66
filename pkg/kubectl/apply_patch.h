#pragma once
// Client-side apply's decision, as a pure function: given the last applied manifest (from the
// live object's annotation), the new manifest and the live object, which JSON merge patch
// (RFC 7386) brings the live object to the new manifest.
#include <string>

#include "pkg/api/json.h"

namespace skiff::kubectl {

inline constexpr const char* kLastAppliedAnnotation =
    "kubectl.kubernetes.io/last-applied-configuration";

// The annotation value recorded for `manifest`: its compact JSON (without the annotation
// itself), newline-terminated like kubectl's.
std::string last_applied_value(const Json& manifest);
// `manifest` with the annotation set to last_applied_value(manifest).
Json with_last_applied(Json manifest);
// The previous manifest recorded on `live`, or null when it has none (or it is unreadable).
Json recorded_last_applied(const Json& live);

// A three-way merge patch: fields that `last_applied` had and `desired` dropped become null
// (deleted); fields of `desired` that differ from `live` are set. Fields only the server set
// (status, defaults, uid...) are left alone: a desired value "matches" the live one when every
// field it names matches, so server defaults inside list items do not count as a change.
// Returns an empty object when nothing needs to change.
Json three_way_merge_patch(const Json& last_applied, const Json& desired, const Json& live);

}  // namespace skiff::kubectl
