#pragma once
// A minimal OpenAPI v3 that is enough for kubectl's default validation (KUBECTL.md section 6.2):
// per group-version, one PATCH operation per kind tagged with its GVK and carrying the
// `fieldValidation` query parameter, so kubectl trusts server-side validation.
#include <string>

#include "pkg/api/json.h"

namespace skiff::apiserver {

// GET /openapi/v3: {"paths": {"api/v1": {"serverRelativeURL": "/openapi/v3/api/v1?hash=..."}}}
Json openapi_v3_index();
// GET /openapi/v3/api/v1 or /openapi/v3/apis/<group>/<version> (path without the prefix, e.g.
// "api/v1", "apis/apps/v1"); null when not served.
Json openapi_v3_document(const std::string& group_version_path);

}  // namespace skiff::apiserver
