#pragma once
// A DNS resolver on 127.0.0.1 (a free port, UDP and TCP) for tests of the cluster DNS's
// forwarding: every A question gets 192.0.2.99; names starting "big." get 50 addresses, too many
// for UDP, where the answer has TC set, as a real resolver's has. Stopped by its destructor.
#include <sys/socket.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <span>
#include <stdexcept>
#include <thread>
#include <vector>

#include "agent/dns/dns_message.h"

namespace skiff::testing {

constexpr uint32_t kUpstreamAnswer = 0xC0000263;  // 192.0.2.99

// A resolver that answers every A question with 192.0.2.99 (names starting "big.": 50
// addresses, too many for UDP, where it answers with TC set, as a real resolver does); counts
// the questions it got over UDP.
class FakeUpstream {
  using udp = boost::asio::ip::udp;
  using tcp = boost::asio::ip::tcp;

 public:
  FakeUpstream() : socket_(io_), acceptor_(io_) {
    // UDP and TCP on one port number: a free UDP port may be taken for TCP by a test running
    // beside this one, so try another.
    const auto loopback = boost::asio::ip::make_address("127.0.0.1");
    for (int attempt = 0;; ++attempt) {
      socket_.open(udp::v4());
      socket_.bind(udp::endpoint(loopback, 0));
      boost::system::error_code error;
      acceptor_.open(tcp::v4());
      acceptor_.bind(tcp::endpoint(loopback, port()), error);
      if (!error) break;
      acceptor_.close();
      socket_.close();
      if (attempt == 50) throw std::runtime_error("no port free for both UDP and TCP");
    }
    acceptor_.listen();
    udp_thread_ = std::thread([this] { serve_udp(); });
    tcp_thread_ = std::thread([this] { serve_tcp(); });
  }
  ~FakeUpstream() {
    // shutdown wakes the threads blocked in receive and accept.
    ::shutdown(socket_.native_handle(), SHUT_RDWR);
    ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
    udp_thread_.join();
    tcp_thread_.join();
  }
  uint16_t port() const { return socket_.local_endpoint().port(); }
  int asked() const { return asked_; }

 private:
  static std::vector<uint8_t> answer(std::span<const uint8_t> query, bool over_udp) {
    const agent::dns::ParsedQuery parsed = agent::dns::parse_query(query);
    if (parsed.outcome != agent::dns::ParsedQuery::Outcome::Query) return {};
    agent::dns::Response response = agent::dns::error_response(parsed, agent::dns::Rcode::NoError);
    const std::string& name = parsed.query.question.name;
    const int count = name.starts_with("big.") ? 50 : 1;
    for (int i = 0; i < count; ++i)
      response.answers.push_back(
          {name, agent::dns::type::A, 300, agent::dns::Ipv4Data{kUpstreamAnswer + i}});
    return agent::dns::encode_response(response, over_udp ? 512 : 65535);
  }
  void serve_udp() {
    std::vector<uint8_t> buffer(4096);
    for (;;) {
      udp::endpoint from;
      boost::system::error_code error;
      const size_t size = socket_.receive_from(boost::asio::buffer(buffer), from, 0, error);
      if (error || size == 0) return;
      ++asked_;
      auto bytes = answer(std::span(buffer.data(), size), true);
      if (!bytes.empty()) socket_.send_to(boost::asio::buffer(bytes), from, 0, error);
    }
  }
  void serve_tcp() {
    for (;;) {
      boost::system::error_code error;
      tcp::socket connection = acceptor_.accept(error);
      if (error) return;
      uint8_t length[2];
      boost::asio::read(connection, boost::asio::buffer(length), error);
      std::vector<uint8_t> query(size_t{length[0]} << 8 | length[1]);
      if (!error) boost::asio::read(connection, boost::asio::buffer(query), error);
      if (error) continue;
      auto bytes = answer(query, false);
      std::vector<uint8_t> framed = {static_cast<uint8_t>(bytes.size() >> 8),
                                     static_cast<uint8_t>(bytes.size())};
      framed.insert(framed.end(), bytes.begin(), bytes.end());
      boost::asio::write(connection, boost::asio::buffer(framed), error);
    }
  }
  boost::asio::io_context io_;
  udp::socket socket_;
  tcp::acceptor acceptor_;
  std::atomic<int> asked_{0};
  std::thread udp_thread_;
  std::thread tcp_thread_;
};

}  // namespace skiff::testing
