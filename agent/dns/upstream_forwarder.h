#pragma once
// Forwarding a query the cluster does not own to the node's resolvers (resolv.conf), over UDP,
// one upstream after the other until one answers; for a TCP client, a truncated answer is asked
// again over TCP. Each try has its own socket (a random source
// port) and a fresh random id, so a stray or spoofed datagram cannot answer it.
//
// Contract: `done` is called exactly once on the I/O context's thread, with the upstream's
// answer (the client's id restored) or SERVFAIL. Not thread-safe: use from the I/O thread only.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "agent/dns/dns_responder.h"

namespace skiff::agent::dns {

class UpstreamForwarder {
 public:
  using Done = std::function<void(std::vector<uint8_t>)>;

  // `self` is the cluster DNS's own address: a resolv.conf naming it is not forwarded to (a loop).
  UpstreamForwarder(boost::asio::io_context& io, std::string resolv_conf, uint16_t port,
                    std::chrono::milliseconds timeout, boost::asio::ip::udp::endpoint self);

  void forward(std::vector<uint8_t> packet, const Query& query, Transport transport, Done done);

 private:
  struct Exchange;
  void attempt(std::shared_ptr<Exchange> exchange);
  void await_answer(std::shared_ptr<Exchange> exchange);
  static void deliver(Exchange& exchange, std::vector<uint8_t> answer);
  void refresh_upstreams();

  boost::asio::io_context& io_;
  std::string resolv_conf_;
  uint16_t port_;
  std::chrono::milliseconds timeout_;
  boost::asio::ip::udp::endpoint self_;
  std::vector<boost::asio::ip::udp::endpoint> upstreams_;
  std::filesystem::file_time_type read_at_{};
  std::chrono::steady_clock::time_point checked_at_{};
  std::mt19937 random_{std::random_device{}()};
};

}  // namespace skiff::agent::dns
