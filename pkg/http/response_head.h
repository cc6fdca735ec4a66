#pragma once
// The status line and header block of the server's HTTP/1.1 responses, written as text. The
// connection sends it and the body as two buffers of one write: Beast's message serializer did
// the same work through several layers of buffer views, about a tenth of an I/O thread's time
// per create.
#include <cstddef>
#include <string>

#include "pkg/http/server.h"

namespace skiff::http {

// Appends the head of a response with a body of `content_length` bytes to `out` (which may
// already have room for the body behind it). Content-Length, Connection and Transfer-Encoding
// are the server's to set: a handler's own are left out.
void append_response_head(std::string& out, unsigned status, const Headers& headers,
                          size_t content_length, bool keep_alive);

// A chunked streaming response; streams end the connection.
std::string format_stream_head(unsigned status, const Headers& headers);

}  // namespace skiff::http
