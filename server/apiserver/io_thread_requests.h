#pragma once
// Which API requests are answered on the HTTPS server's I/O thread (http::ServerOptions::
// handle_on_io_thread) instead of a worker: the ones that never hold their thread waiting on
// the store's writer, an agent or the network. On a small VM the two thread hand-offs a worker
// costs are most of a quick request's price. Anything in doubt goes to the worker pool, which
// only costs those hand-offs.
#include "pkg/http/request.h"

namespace skiff::apiserver {

// Reads served from memory: GET or HEAD that is neither a watch nor a pod stream (log, exec,
// attach, portforward, proxy: those wait on the node).
bool is_quick_read(const http::Request& request);

// Creates (POST on a resource collection): admission works from memory and the write answers
// later through a DeferredResponse (create_handler.cpp). Not Ingresses: their admission lists
// the IngressClasses from the database.
bool is_deferred_create(const http::Request& request);

// Either of the above.
bool runs_on_io_thread(const http::Request& request);

}  // namespace skiff::apiserver
