#pragma once
// How a controller claims objects through ownerReferences, as Kubernetes' ControllerRefManager:
// the controller reference it adds, and the merge patches that adopt an orphan or release an
// object that stopped matching. Both patches carry the object's resourceVersion, so a claim
// made on a stale view is refused with 409 (the controller syncs again). Pure.
#include <string>
#include <string_view>

#include "pkg/api/json.h"

namespace skiff::controllers {

// The controller ownerReference pointing at `owner` (controller and blockOwnerDeletion true).
Json controller_reference(const Json& owner);
// Adds a controller reference to `owner` to `object`'s ownerReferences.
Json adopt_patch(const Json& object, const Json& owner);
// Removes the reference to `owner_uid` from `object`'s ownerReferences.
Json release_patch(const Json& object, const std::string& owner_uid);
// The uid in `object`'s controller reference (controller: true), or null when it has none.
// Read in place: controllers ask it of every pod in a namespace on each sync.
// The API refuses more than one controller reference, so this is the controller.
const std::string* controller_uid(const Json& object);
// `object` has a controller reference with uid `owner_uid`.
inline bool is_controlled_by(const Json& object, std::string_view owner_uid) {
  const std::string* uid = controller_uid(object);
  return uid != nullptr && *uid == owner_uid;
}

}  // namespace skiff::controllers
