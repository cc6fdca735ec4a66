#pragma once
// One DNS exchange over TCP with an upstream resolver (RFC 7766): for a TCP client whose
// forwarded question got a truncated UDP answer. Connect, write the framed query, read the framed
// answer, all within one deadline.
//
// Contract: `done` is called exactly once on the I/O context's thread, with the answer's bytes,
// or nullopt when the upstream cannot be reached, fails or passes the deadline.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

namespace skiff::agent::dns {

void ask_upstream_over_tcp(boost::asio::io_context& io, boost::asio::ip::tcp::endpoint upstream,
                           const std::vector<uint8_t>& query, std::chrono::milliseconds timeout,
                           std::function<void(std::optional<std::vector<uint8_t>>)> done);

}  // namespace skiff::agent::dns
