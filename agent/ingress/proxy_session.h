#pragma once
// One client connection of the ingress proxy, from accept to close: the TLS handshake (the
// certificate chosen by SNI), then requests in turn over keep-alive, each routed by host and
// path and relayed to a ready endpoint of its backend over a pooled upstream connection, bodies
// streamed both ways in pieces; an Upgrade that the upstream accepts becomes a tunnel.
#include "agent/ingress/io_backends.h"

namespace skiff::agent::ingress {

class ProxyWorker;

// Io: AsioIo or RingIo (io_backends.h), the worker's kind of I/O.
template <class Io>
Task<void> serve_client(ProxyWorker& worker, typename Io::Socket socket, bool tls);

}  // namespace skiff::agent::ingress
