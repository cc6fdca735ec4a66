#pragma once
// Which API requests are answered on the HTTPS server's I/O thread (http::ServerOptions::
// handle_on_io_thread) instead of a worker: reads that are served from the server's memory
// caches and never wait on the store's writer, an agent or the network. Everything else, and
// anything in doubt, goes to the worker pool, which only costs a thread hand-off.
#include "pkg/http/request.h"

namespace skiff::apiserver {

// GET or HEAD that is neither a watch nor a pod stream (log, exec, attach, portforward, proxy:
// those wait on the node).
bool is_quick_read(const http::Request& request);

}  // namespace skiff::apiserver
