#include "agent/dns/upstream_forwarder.h"

#include <boost/asio/steady_timer.hpp>
#include <system_error>

#include "agent/dns/resolv_conf.h"
#include "agent/dns/upstream_tcp.h"
#include "pkg/log/log.h"
#include "pkg/util/files.h"

namespace skiff::agent::dns {
namespace asio = boost::asio;
using udp = asio::ip::udp;

namespace {
// resolv.conf is looked at no more often than this (its mtime, then its text when it changed).
constexpr auto kResolvConfCheckInterval = std::chrono::seconds(5);
constexpr size_t kMaxAnswerSize = 65535;
}  // namespace

struct UpstreamForwarder::Exchange {
  Exchange(asio::io_context& io, std::vector<uint8_t> packet, Query query, Transport transport,
           Done done)
      : socket(io),
        timer(io),
        packet(std::move(packet)),
        query(std::move(query)),
        transport(transport),
        done(std::move(done)),
        answer(kMaxAnswerSize) {}
  udp::socket socket;
  asio::steady_timer timer;
  std::vector<uint8_t> packet;  // the client's query; its id is replaced per try
  Query query;
  Transport transport;
  Done done;
  std::vector<uint8_t> answer;
  std::vector<udp::endpoint> upstreams;  // fixed for this exchange
  size_t next = 0;
  uint16_t sent_id = 0;
};

UpstreamForwarder::UpstreamForwarder(asio::io_context& io, std::string resolv_conf, uint16_t port,
                                     std::chrono::milliseconds timeout, udp::endpoint self)
    : io_(io), resolv_conf_(std::move(resolv_conf)), port_(port), timeout_(timeout), self_(self) {}

void UpstreamForwarder::refresh_upstreams() {
  const auto now = std::chrono::steady_clock::now();
  if (now - checked_at_ < kResolvConfCheckInterval && checked_at_ != decltype(now){}) return;
  checked_at_ = now;
  std::error_code error;
  const auto modified = std::filesystem::last_write_time(resolv_conf_, error);
  if (!error && modified == read_at_ && !upstreams_.empty()) return;
  read_at_ = modified;
  auto text = util::read_file(resolv_conf_);
  if (!text) {
    log::warn("cluster dns: cannot read resolv.conf", {{"path", resolv_conf_}});
    upstreams_.clear();
    return;
  }
  std::vector<udp::endpoint> upstreams;
  for (const auto& server : parse_resolv_conf(*text).nameservers) {
    boost::system::error_code bad;
    auto address = asio::ip::make_address(server, bad);
    if (bad) continue;
    udp::endpoint endpoint(address, port_);
    if (endpoint == self_) continue;  // forwarding to ourselves would loop
    upstreams.push_back(endpoint);
  }
  if (upstreams.empty())
    log::warn("cluster dns: no usable upstream in resolv.conf", {{"path", resolv_conf_}});
  upstreams_ = std::move(upstreams);
}

void UpstreamForwarder::forward(std::vector<uint8_t> packet, const Query& query,
                                Transport transport, Done done) {
  refresh_upstreams();
  auto exchange =
      std::make_shared<Exchange>(io_, std::move(packet), query, transport, std::move(done));
  exchange->upstreams = upstreams_;
  attempt(std::move(exchange));
}

void UpstreamForwarder::attempt(std::shared_ptr<Exchange> exchange) {
  boost::system::error_code ignored;
  exchange->socket.close(ignored);
  if (exchange->next >= exchange->upstreams.size()) {
    exchange->done(server_failure(exchange->query, exchange->transport));
    return;
  }
  const udp::endpoint upstream = exchange->upstreams[exchange->next++];
  boost::system::error_code error;
  exchange->socket.open(upstream.protocol(), error);
  if (!error) exchange->socket.connect(upstream, error);
  exchange->sent_id = static_cast<uint16_t>(random_());
  exchange->packet[0] = static_cast<uint8_t>(exchange->sent_id >> 8);
  exchange->packet[1] = static_cast<uint8_t>(exchange->sent_id);
  if (!error) exchange->socket.send(asio::buffer(exchange->packet), 0, error);
  if (error) {
    attempt(std::move(exchange));
    return;
  }
  exchange->timer.expires_after(timeout_);
  const size_t this_try = exchange->next;
  exchange->timer.async_wait([exchange, this_try](const boost::system::error_code& waited) {
    // The receive below then ends with operation_aborted. A stale expiry of an earlier try
    // must not cut this one short.
    if (!waited && exchange->next == this_try) exchange->socket.cancel();
  });
  await_answer(std::move(exchange));
}

void UpstreamForwarder::await_answer(std::shared_ptr<Exchange> exchange) {
  // The buffer is taken before the handler takes the exchange over.
  Exchange& current = *exchange;
  current.socket.async_receive(
      asio::buffer(current.answer),
      [this, exchange = std::move(exchange)](const boost::system::error_code& failed, size_t size) {
        if (failed) {  // timed out, refused (ICMP), or closed
          exchange->timer.cancel();
          attempt(exchange);
          return;
        }
        const auto& bytes = exchange->answer;
        const uint16_t id = static_cast<uint16_t>(bytes[0] << 8 | bytes[1]);
        if (size < 12 || id != exchange->sent_id || !(bytes[2] & 0x80)) {
          await_answer(exchange);  // not our answer: keep waiting until the deadline
          return;
        }
        exchange->timer.cancel();
        std::vector<uint8_t> answer(bytes.begin(), bytes.begin() + static_cast<long>(size));
        const bool truncated = bytes[2] & 0x02;
        if (!truncated || exchange->transport != Transport::Tcp) return deliver(*exchange, answer);
        // The client asked over TCP: it gets the whole answer, asked of the same upstream over
        // TCP (the truncated one when that fails).
        const udp::endpoint upstream = exchange->upstreams[exchange->next - 1];
        ask_upstream_over_tcp(
            io_, {upstream.address(), upstream.port()}, exchange->packet, timeout_,
            [exchange, answer](std::optional<std::vector<uint8_t>> whole) {
              const bool usable = whole && whole->size() >= 12 &&
                                  ((*whole)[0] << 8 | (*whole)[1]) == exchange->sent_id;
              deliver(*exchange, usable ? *whole : answer);
            });
      });
}

void UpstreamForwarder::deliver(Exchange& exchange, std::vector<uint8_t> answer) {
  answer[0] = static_cast<uint8_t>(exchange.query.id >> 8);
  answer[1] = static_cast<uint8_t>(exchange.query.id);
  exchange.done(std::move(answer));
}

}  // namespace skiff::agent::dns
