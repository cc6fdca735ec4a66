#include "agent/dns/dns_tcp_session.h"

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

namespace skiff::agent::dns {
namespace asio = boost::asio;

DnsTcpSession::DnsTcpSession(asio::ip::tcp::socket socket, AnswerFunction answer,
                             std::chrono::milliseconds idle_timeout)
    : socket_(std::move(socket)),
      idle_(socket_.get_executor()),
      answer_(std::move(answer)),
      idle_timeout_(idle_timeout) {}

void DnsTcpSession::start() {
  read_length();
}

void DnsTcpSession::arm_idle_timer() {
  idle_.expires_after(idle_timeout_);
  idle_.async_wait([self = shared_from_this()](const boost::system::error_code& error) {
    if (!error) self->close();
  });
}

void DnsTcpSession::close() {
  boost::system::error_code ignored;
  idle_.cancel();
  socket_.close(ignored);
}

void DnsTcpSession::read_length() {
  arm_idle_timer();
  asio::async_read(socket_, asio::buffer(length_),
                   [self = shared_from_this()](const boost::system::error_code& error, size_t) {
                     if (error) return self->close();
                     const size_t length = size_t{self->length_[0]} << 8 | self->length_[1];
                     if (length < 12) return self->close();  // not even a header
                     self->read_message(length);
                   });
}

void DnsTcpSession::read_message(size_t length) {
  message_.assign(length, 0);
  asio::async_read(socket_, asio::buffer(message_),
                   [self = shared_from_this()](const boost::system::error_code& error, size_t) {
                     if (error) return self->close();
                     self->idle_.cancel();  // an upstream may take a while; the answer is due
                     self->answer_(std::move(self->message_), [self](std::vector<uint8_t> answer) {
                       self->write(std::move(answer));
                     });
                   });
}

void DnsTcpSession::write(std::vector<uint8_t> answer) {
  if (!socket_.is_open()) return;
  if (answer.empty() || answer.size() > 65535) return close();  // dropped: nothing more to say
  outgoing_.clear();
  outgoing_.push_back(static_cast<uint8_t>(answer.size() >> 8));
  outgoing_.push_back(static_cast<uint8_t>(answer.size()));
  outgoing_.insert(outgoing_.end(), answer.begin(), answer.end());
  arm_idle_timer();  // a peer that stops reading cannot hold the connection forever
  asio::async_write(socket_, asio::buffer(outgoing_),
                    [self = shared_from_this()](const boost::system::error_code& error, size_t) {
                      if (error) return self->close();
                      self->read_length();
                    });
}

}  // namespace skiff::agent::dns
