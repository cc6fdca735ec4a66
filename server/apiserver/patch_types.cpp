#include "server/apiserver/patch_types.h"

#include "pkg/api/errors.h"
#include "pkg/api/patch.h"
#include "server/apiserver/request_body.h"

namespace skiff::apiserver {

PatchType parse_patch_type(const std::string& content_type) {
  std::string type = media_type(content_type);
  if (type == "application/merge-patch+json") return PatchType::Merge;
  if (type == "application/json-patch+json") return PatchType::JsonPatch;
  if (type == "application/strategic-merge-patch+json") return PatchType::Strategic;
  if (type == "application/apply-patch+yaml" || type == "application/apply-patch+json")
    return PatchType::Apply;
  throw api::unsupported_media_type(
      "the body of the request was in an unknown format - accepted media types include: "
      "application/json-patch+json, application/merge-patch+json, "
      "application/strategic-merge-patch+json, application/apply-patch+yaml (got \"" +
      type + "\")");
}

Json parse_patch_document(http::Request& request, PatchType type) {
  std::optional<Json> taken = take_object_body(request);
  if (!taken && request.body.empty()) throw api::bad_request("the patch body is empty");
  Json patch = taken ? std::move(*taken)
               : type == PatchType::Apply
                   ? parse_yaml_body(request.body)
                   : parse_json_body(request.body, "error decoding the patch as JSON");
  if (type == PatchType::JsonPatch) {
    if (!patch.is_array())
      throw api::bad_request("a JSON patch must be an array of operations, not " +
                             std::string(patch.type_name()));
  } else if (!patch.is_object()) {
    throw api::bad_request("the patch must be a JSON object, not " +
                           std::string(patch.type_name()));
  }
  return patch;
}

Json apply_patch(const api::ResourceInfo& resource, PatchType type, const Json& target,
                 const Json& patch) {
  switch (type) {
    case PatchType::JsonPatch:
      return api::apply_json_patch(target, patch);
    case PatchType::Strategic:
      return api::apply_strategic_merge_patch(resource, target, patch);
    case PatchType::Merge:
    case PatchType::Apply:
      break;
  }
  return api::apply_merge_patch(target, patch);
}

}  // namespace skiff::apiserver
