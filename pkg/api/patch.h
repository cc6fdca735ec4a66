#pragma once
// The four patch types the API accepts. Each is a pure function (target, patch) -> result and
// throws ApiError (400 BadRequest or 422 Invalid, with a message saying what is wrong) on a
// patch that cannot be applied.
#include "pkg/api/json.h"
#include "pkg/api/resources.h"

namespace skiff::api {

// application/merge-patch+json (RFC 7386).
Json apply_merge_patch(const Json& target, const Json& patch);

// application/json-patch+json (RFC 6902): add, remove, replace, move, copy, test.
Json apply_json_patch(const Json& target, const Json& patch);

// application/strategic-merge-patch+json for built-in kinds: lists with a merge key merge by
// it (containers/initContainers/volumes/imagePullSecrets/env by name, container ports by
// containerPort, Service ports by port, volumeMounts by mountPath, ownerReferences by uid,
// conditions by type, tolerations replaced...), other lists are replaced; `null` deletes;
// directives $patch (delete/replace/merge), $setElementOrder, $retainKeys,
// $deleteFromPrimitiveList are honoured.
Json apply_strategic_merge_patch(const ResourceInfo& resource, const Json& target,
                                 const Json& patch);

}  // namespace skiff::api
