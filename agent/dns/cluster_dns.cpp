#include "agent/dns/cluster_dns.h"

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <mutex>
#include <thread>

#include "agent/dns/dns_responder.h"
#include "agent/dns/dns_tcp_session.h"
#include "agent/dns/upstream_forwarder.h"
#include "pkg/log/log.h"
#include "pkg/util/thread_name.h"

namespace skiff::agent::dns {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using udp = asio::ip::udp;

namespace {
constexpr auto kTcpIdleTimeout = std::chrono::seconds(10);
constexpr int kMaxTcpConnections = 256;

// Counts an open TCP connection for as long as its session lives (the count outlives the
// server's other state: sessions abandoned at stop are destroyed with the I/O context).
class ConnectionSlot {
 public:
  explicit ConnectionSlot(std::shared_ptr<std::atomic<int>> count) : count_(std::move(count)) {
    ++*count_;
  }
  ~ConnectionSlot() { --*count_; }
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;

 private:
  std::shared_ptr<std::atomic<int>> count_;
};
}  // namespace

struct ClusterDns::Impl {
  explicit Impl(ClusterDnsOptions options)
      : options(std::move(options)),
        records(std::make_shared<const ClusterRecords>(Json::array(), Json::array(),
                                                       this->options.cluster_domain, 0)) {}

  ClusterDnsOptions options;
  std::atomic<ClusterRecordsPtr> records;
  std::mutex update_mutex;  // serializes writers only; readers load the pointer
  uint32_t serial = 0;
  asio::io_context io;
  std::optional<udp::socket> udp_socket;
  std::optional<tcp::acceptor> acceptor;
  std::optional<UpstreamForwarder> forwarder;
  std::shared_ptr<std::atomic<int>> tcp_connections = std::make_shared<std::atomic<int>>(0);
  std::vector<uint8_t> datagram = std::vector<uint8_t>(65536);
  udp::endpoint sender;
  std::thread thread;
  bool started = false;
  bool stopped = false;

  void bind();
  void receive();
  void accept();
  void answer(std::vector<uint8_t> packet, Transport transport,
              std::function<void(std::vector<uint8_t>)> send);
  void chase(Reply reply, Transport transport, std::function<void(std::vector<uint8_t>)> send);
};

void ClusterDns::Impl::bind() {
  boost::system::error_code error;
  const auto address = asio::ip::make_address(options.listen_address, error);
  if (error) throw DnsError("cluster dns: \"" + options.listen_address + "\" is not an IP address");
  const std::string where = options.listen_address + ":" + std::to_string(options.port);
  // Port 0 picks the UDP port first and asks for the same one over TCP; another process may
  // hold it over TCP, so a few ports are tried.
  for (int attempt = 0; attempt < 10; ++attempt) {
    udp_socket.emplace(io);
    udp_socket->open(address.is_v4() ? udp::v4() : udp::v6());
    udp_socket->set_option(asio::socket_base::reuse_address(true));
    udp_socket->bind(udp::endpoint(address, options.port), error);
    if (error) throw DnsError("cluster dns: cannot bind UDP " + where + ": " + error.message());
    const uint16_t port = udp_socket->local_endpoint().port();
    acceptor.emplace(io);
    acceptor->open(address.is_v4() ? tcp::v4() : tcp::v6());
    acceptor->set_option(asio::socket_base::reuse_address(true));
    acceptor->bind(tcp::endpoint(address, port), error);
    if (!error) acceptor->listen(asio::socket_base::max_listen_connections, error);
    if (!error) return;
    if (options.port != 0) break;
  }
  throw DnsError("cluster dns: cannot bind TCP " + where + ": " + error.message());
}

void ClusterDns::Impl::answer(std::vector<uint8_t> packet, Transport transport,
                              std::function<void(std::vector<uint8_t>)> send) {
  const ClusterRecordsPtr snapshot = records.load();
  Reply reply = respond(packet, *snapshot, transport);
  switch (reply.action) {
    case Reply::Action::Send:
      if (reply.chase.empty()) return send(std::move(reply.bytes));
      return chase(std::move(reply), transport, std::move(send));
    case Reply::Action::Drop:
      return send({});
    case Reply::Action::Forward:
      return forwarder->forward(std::move(packet), reply.query, transport, std::move(send));
  }
}

// An ExternalName's target resolved upstream and added to the CNAME; when the upstream cannot
// answer, the CNAME alone.
void ClusterDns::Impl::chase(Reply reply, Transport transport,
                             std::function<void(std::vector<uint8_t>)> send) {
  Query query;
  query.id = reply.query.id;
  query.question = {reply.chase, type::A};
  query.edns_udp_size = kMaxUdpSize;
  const size_t limit = response_limit(reply.query, transport);
  auto packet = encode_query(query.id, query.question, query.edns_udp_size);
  forwarder->forward(std::move(packet), query, transport,
                     [response = std::move(reply.response), limit,
                      send = std::move(send)](std::vector<uint8_t> upstream) mutable {
                       send(add_chased_records(std::move(response), upstream, limit));
                     });
}

void ClusterDns::Impl::receive() {
  udp_socket->async_receive_from(
      asio::buffer(datagram), sender, [this](const boost::system::error_code& error, size_t size) {
        if (error == asio::error::operation_aborted || !udp_socket->is_open()) return;
        if (!error) {
          std::vector<uint8_t> packet(datagram.begin(), datagram.begin() + static_cast<long>(size));
          answer(std::move(packet), Transport::Udp,
                 [this, to = sender](std::vector<uint8_t> bytes) {
                   if (bytes.empty() || !udp_socket->is_open()) return;
                   boost::system::error_code ignored;  // a lost datagram is the client's to retry
                   udp_socket->send_to(asio::buffer(bytes), to, 0, ignored);
                 });
        }
        receive();
      });
}

void ClusterDns::Impl::accept() {
  acceptor->async_accept([this](const boost::system::error_code& error, tcp::socket socket) {
    if (error == asio::error::operation_aborted || !acceptor->is_open()) return;
    if (!error && tcp_connections->load() < kMaxTcpConnections) {
      auto slot = std::make_shared<ConnectionSlot>(tcp_connections);
      auto answer_tcp = [this, slot](std::vector<uint8_t> query,
                                     std::function<void(std::vector<uint8_t>)> send) {
        answer(std::move(query), Transport::Tcp, std::move(send));
      };
      std::make_shared<DnsTcpSession>(std::move(socket), answer_tcp, kTcpIdleTimeout)->start();
    }
    accept();
  });
}

ClusterDns::ClusterDns(ClusterDnsOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

ClusterDns::~ClusterDns() {
  stop();
}

void ClusterDns::start() {
  if (impl_->started) throw DnsError("cluster dns: already started");
  impl_->bind();
  impl_->started = true;
  const auto self = impl_->udp_socket->local_endpoint();
  impl_->forwarder.emplace(impl_->io, impl_->options.resolv_conf, impl_->options.upstream_port,
                           impl_->options.upstream_timeout, self);
  impl_->receive();
  impl_->accept();
  impl_->thread = std::thread([impl = impl_.get()] {
    util::name_this_thread("cluster-dns");
    impl->io.run();
  });
  log::info("cluster dns listening", {{"address", impl_->options.listen_address},
                                      {"port", std::to_string(port())},
                                      {"domain", impl_->records.load()->domain()}});
}

void ClusterDns::stop() {
  if (!impl_->started || impl_->stopped) return;
  impl_->stopped = true;
  asio::post(impl_->io, [impl = impl_.get()] {
    boost::system::error_code ignored;
    impl->udp_socket->close(ignored);
    impl->acceptor->close(ignored);
    impl->io.stop();  // sessions and forwarded queries in flight are abandoned
  });
  impl_->thread.join();
}

uint16_t ClusterDns::port() const {
  return impl_->udp_socket ? impl_->udp_socket->local_endpoint().port() : impl_->options.port;
}

void ClusterDns::update(const Json& services, const Json& endpoint_slices) {
  std::lock_guard lock(impl_->update_mutex);
  auto snapshot = std::make_shared<const ClusterRecords>(
      services, endpoint_slices, impl_->options.cluster_domain, ++impl_->serial);
  impl_->records.store(std::move(snapshot));
}

ClusterRecordsPtr ClusterDns::records() const {
  return impl_->records.load();
}

}  // namespace skiff::agent::dns
