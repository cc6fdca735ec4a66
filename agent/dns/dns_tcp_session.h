#pragma once
// One DNS-over-TCP connection (RFC 1035 4.2.2, RFC 7766): messages framed by a 2-byte length,
// answered in order, several per connection. The connection is closed after an idle timeout, on a
// malformed frame, or when the peer closes.
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

namespace skiff::agent::dns {

// Answers one query; calls `send` exactly once with the answer (empty: dropped, and the
// connection closes).
using AnswerFunction =
    std::function<void(std::vector<uint8_t> query, std::function<void(std::vector<uint8_t>)> send)>;

class DnsTcpSession : public std::enable_shared_from_this<DnsTcpSession> {
 public:
  DnsTcpSession(boost::asio::ip::tcp::socket socket, AnswerFunction answer,
                std::chrono::milliseconds idle_timeout);
  void start();

 private:
  void read_length();
  void read_message(size_t length);
  void write(std::vector<uint8_t> answer);
  void arm_idle_timer();
  void close();

  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer idle_;
  AnswerFunction answer_;
  std::chrono::milliseconds idle_timeout_;
  uint8_t length_[2] = {0, 0};
  std::vector<uint8_t> message_;
  std::vector<uint8_t> outgoing_;
};

}  // namespace skiff::agent::dns
