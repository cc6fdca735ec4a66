#pragma once
// One client connection of the ingress proxy, from accept to close: the TLS handshake (the
// certificate chosen by SNI), then requests in turn over keep-alive, each routed by host and
// path and relayed to a ready endpoint of its backend over a pooled upstream connection, bodies
// streamed both ways in pieces; an Upgrade that the upstream accepts becomes a tunnel.
#include <boost/asio/ip/tcp.hpp>
#include "agent/ingress/proxy_io.h"

namespace skiff::agent::ingress {

class ProxyWorker;

Task<void> serve_client(ProxyWorker& worker, Socket socket, bool tls);

}  // namespace skiff::agent::ingress
