// PUT of one object (main resource): a full replacement guarded by metadata.resourceVersion
// when the body carries one; unconditional otherwise. The status is kept from the stored
// object for kinds with a status subresource.
#include "pkg/api/json_text.h"
#include "server/apiserver/handlers.h"
#include "server/apiserver/request_body.h"
#include "server/apiserver/responses.h"
#include "server/apiserver/storage.h"
#include "server/apiserver/write_pipeline.h"

namespace skiff::apiserver {

http::Response handle_update(RequestContext& context) {
  Json body = decode_object_body(context.request);
  bool dry_run = context.dry_run();
  auto stored = guaranteed_update(
      context.store, context.resource, context.key(), context.name,
      [&](const Json& current) { return admit_update(context, current, body, UpdateScope::Main); },
      dry_run);
  return raw_json_response(200, api::json_text(*stored), context.warnings);
}

}  // namespace skiff::apiserver
