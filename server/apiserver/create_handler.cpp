// POST on a collection: create one object (201).
#include "server/apiserver/handlers.h"
#include "server/apiserver/request_body.h"
#include "server/apiserver/responses.h"
#include "server/apiserver/write_pipeline.h"

namespace skiff::apiserver {

http::Response handle_create(RequestContext& context) {
  Json object = decode_object_body(context.request);
  admit_create(context, object);
  auto stored = persist_create(context, std::move(object));
  return raw_json_response(201, stored->dump(), context.warnings);
}

}  // namespace skiff::apiserver
