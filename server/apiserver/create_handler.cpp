// POST on a collection: create one object (201).
//
// The handler does everything up to the store write on its own thread and then lets go: the
// store's writer answers the request when the object is committed (DeferredResponse). So a
// create holds no thread while it waits for its group commit, and can be handled on the HTTP
// I/O thread that read it (io_thread_requests.h), saving two thread hand-offs per create.
#include "pkg/api/json_text.h"
#include "server/apiserver/handlers.h"
#include "server/apiserver/request_body.h"
#include "server/apiserver/responses.h"
#include "server/apiserver/storage.h"
#include "server/apiserver/write_pipeline.h"

namespace skiff::apiserver {

namespace {

http::Response created_response(const api::ResourceInfo& resource, const std::string& name,
                                const std::vector<std::string>& warnings,
                                store::WriteResult& result) {
  try {
    if (result.error) rethrow_write_error(result.error, resource, name);
    if (!result.object_json.empty()) {
      return raw_json_response(201, std::move(result.object_json), warnings);
    }
    return raw_json_response(201, api::json_text(*result.object), warnings);
  } catch (...) {
    return current_error_response();
  }
}

}  // namespace

http::HandlerResult handle_create(RequestContext& context) {
  Json object = decode_object_body(context.request);
  admit_create(context, object);
  std::string name = name_to_create(context, object);
  if (context.dry_run()) return raw_json_response(201, api::json_text(object), context.warnings);
  // Held until the write has ended (a Service's addresses are released if it fails).
  std::shared_ptr<AddressReservation> reservation = std::move(context.address_reservation);
  return http::DeferredResponse{
      [&store = context.store, &resource = context.resource,
       key = context.resource.key(context.namespace_name, name), name = std::move(name),
       object = std::move(object), warnings = std::move(context.warnings),
       reservation = std::move(reservation)](http::ResponderPtr responder) mutable {
        store.create_async(
            key, std::move(object),
            [responder = std::move(responder), &resource, name = std::move(name),
             warnings = std::move(warnings),
             reservation = std::move(reservation)](store::WriteResult result) mutable {
              responder->send(created_response(resource, name, warnings, result));
              reservation.reset();  // after the answer: the write's outcome is settled
            });
      }};
}

}  // namespace skiff::apiserver
