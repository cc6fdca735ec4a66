#include "pkg/api/patch.h"

namespace skiff::api {

Json apply_merge_patch(const Json& target, const Json& patch) {
  Json result = target;
  result.merge_patch(patch);
  return result;
}
Json apply_json_patch(const Json& target, const Json& patch) {
  return target.patch(patch);
}
Json apply_strategic_merge_patch(const ResourceInfo&, const Json& target, const Json& patch) {
  return apply_merge_patch(target, patch);
}

}  // namespace skiff::api
