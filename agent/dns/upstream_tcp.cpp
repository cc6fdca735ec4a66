#include "agent/dns/upstream_tcp.h"

#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

namespace skiff::agent::dns {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

struct TcpExchange {
  TcpExchange(asio::io_context& io, std::function<void(std::optional<std::vector<uint8_t>>)> done)
      : socket(io), timer(io), done(std::move(done)) {}
  tcp::socket socket;
  asio::steady_timer timer;
  std::function<void(std::optional<std::vector<uint8_t>>)> done;
  std::vector<uint8_t> framed;
  uint8_t length[2] = {0, 0};
  std::vector<uint8_t> answer;

  void finish(std::optional<std::vector<uint8_t>> result) {
    timer.cancel();
    boost::system::error_code ignored;
    socket.close(ignored);
    if (done) std::exchange(done, nullptr)(std::move(result));
  }
};

}  // namespace

void ask_upstream_over_tcp(asio::io_context& io, tcp::endpoint upstream,
                           const std::vector<uint8_t>& query, std::chrono::milliseconds timeout,
                           std::function<void(std::optional<std::vector<uint8_t>>)> done) {
  auto exchange = std::make_shared<TcpExchange>(io, std::move(done));
  // The two-byte length prefix of DNS over TCP, then the query.
  exchange->framed.reserve(2 + query.size());
  exchange->framed.push_back(static_cast<uint8_t>(query.size() >> 8));
  exchange->framed.push_back(static_cast<uint8_t>(query.size()));
  exchange->framed.insert(exchange->framed.end(), query.begin(), query.end());
  exchange->timer.expires_after(timeout);
  exchange->timer.async_wait([exchange](const boost::system::error_code& error) {
    if (!error) exchange->finish(std::nullopt);  // closing ends the pending operation too
  });
  exchange->socket.async_connect(upstream, [exchange](const boost::system::error_code& error) {
    if (error) return exchange->finish(std::nullopt);
    asio::async_write(
        exchange->socket, asio::buffer(exchange->framed),
        [exchange](const boost::system::error_code& error, size_t) {
          if (error) return exchange->finish(std::nullopt);
          asio::async_read(
              exchange->socket, asio::buffer(exchange->length),
              [exchange](const boost::system::error_code& error, size_t) {
                if (error) return exchange->finish(std::nullopt);
                exchange->answer.resize(size_t{exchange->length[0]} << 8 | exchange->length[1]);
                asio::async_read(exchange->socket, asio::buffer(exchange->answer),
                                 [exchange](const boost::system::error_code& error, size_t) {
                                   if (error) return exchange->finish(std::nullopt);
                                   exchange->finish(std::move(exchange->answer));
                                 });
              });
        });
  });
}

}  // namespace skiff::agent::dns
