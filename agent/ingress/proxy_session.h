#pragma once
// One client connection of the ingress proxy, from accept to close: the TLS handshake (the
// certificate chosen by SNI), then requests in turn over keep-alive, each routed by host and
// path and relayed to a ready endpoint of its backend over a pooled upstream connection, bodies
// streamed both ways in pieces; an Upgrade that the upstream accepts becomes a tunnel.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace skiff::agent::ingress {

class ProxyWorker;

boost::asio::awaitable<void> serve_client(ProxyWorker& worker, boost::asio::ip::tcp::socket socket,
                                          bool tls);

}  // namespace skiff::agent::ingress
