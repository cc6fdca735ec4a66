#pragma once
// One function per API verb family; each takes the routed request and answers it. They throw
// ApiError for every refusal; the dispatcher turns it into a Status response.
#include "pkg/http/server.h"
#include "server/apiserver/request_context.h"

namespace skiff::apiserver {

class WatchTimers;

http::Response handle_get(RequestContext& context);   // read_handlers.cpp
http::Response handle_list(RequestContext& context);  // read_handlers.cpp
http::StreamingResponse handle_watch(RequestContext& context, WatchTimers& timers);  // watch
// A deferred response: the store's writer answers once the object is committed.
http::HandlerResult handle_create(RequestContext& context);        // create_handler.cpp
http::Response handle_update(RequestContext& context);             // update_handler.cpp
http::Response handle_patch(RequestContext& context);              // patch_handler.cpp
http::Response handle_delete(RequestContext& context);             // delete_handler.cpp
http::Response handle_delete_collection(RequestContext& context);  // delete_handler.cpp
// pods/binding answers deferred: the store's writer answers once the binding is committed.
http::HandlerResult handle_subresource(RequestContext& context);  // subresources.cpp

}  // namespace skiff::apiserver
