#pragma once
// The PATCH content types: merge (RFC 7386), JSON patch (RFC 6902), strategic merge and
// server-side apply. Unsupported types are 415; undecodable patch documents are 400.
#include <string>

#include "pkg/api/json.h"
#include "pkg/api/resources.h"
#include "pkg/http/request.h"

namespace skiff::apiserver {

enum class PatchType { Merge, JsonPatch, Strategic, Apply };

PatchType parse_patch_type(const std::string& content_type);
Json parse_patch_document(http::Request& request, PatchType type);
// Applies a Merge, JsonPatch or Strategic patch (Apply merges like Merge).
Json apply_patch(const api::ResourceInfo& resource, PatchType type, const Json& target,
                 const Json& patch);

}  // namespace skiff::apiserver
