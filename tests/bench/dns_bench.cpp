// The cluster DNS at 1000 services (ClusterIP, 3 ready endpoints each, plus 100 headless ones):
// memory of one snapshot, the time to build it (what every update() costs), answers per second
// of the pure responder, and queries per second over UDP on loopback (closed-loop clients, one
// query in flight each) for a service name, with the mean round trip.
//
//   dns_bench [seconds=3] [clients=4]
#include <malloc.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include "agent/dns/cluster_dns.h"
#include "agent/dns/dns_message.h"
#include "agent/dns/dns_responder.h"

namespace dns = skiff::agent::dns;
namespace asio = boost::asio;
using skiff::Json;
using Clock = std::chrono::steady_clock;

namespace {

Json make_services(int count) {
  Json services = Json::array();
  for (int i = 0; i < count; ++i) {
    const bool headless = i % 10 == 0;
    services.push_back(
        {{"metadata",
          {{"namespace", "ns" + std::to_string(i % 20)}, {"name", "svc" + std::to_string(i)}}},
         {"spec",
          {{"clusterIP",
            headless ? "None"
                     : "10.43." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1)},
           {"ports", {{{"name", "http"}, {"port", 80}, {"protocol", "TCP"}}}}}}});
  }
  return services;
}

Json make_slices(int count) {
  Json slices = Json::array();
  for (int i = 0; i < count; ++i) {
    Json endpoints = Json::array();
    for (int e = 0; e < 3; ++e)
      endpoints.push_back(
          {{"addresses",
            {"10.42." + std::to_string(i / 80) + "." + std::to_string((i % 80) * 3 + e + 1)}},
           {"conditions", {{"ready", true}}}});
    slices.push_back({{"metadata",
                       {{"namespace", "ns" + std::to_string(i % 20)},
                        {"labels", {{"kubernetes.io/service-name", "svc" + std::to_string(i)}}}}},
                      {"addressType", "IPv4"},
                      {"endpoints", endpoints},
                      {"ports", {{{"name", "http"}, {"port", 8080}, {"protocol", "TCP"}}}}});
  }
  return slices;
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 3.0;
  const int clients = argc > 2 ? std::atoi(argv[2]) : 4;
  const Json services = make_services(1000);
  const Json slices = make_slices(1000);

  // Memory and build time of one snapshot (the JSON is the caller's and not counted).
  const size_t before = mallinfo2().uordblks;
  auto started = Clock::now();
  auto snapshot = std::make_shared<const dns::ClusterRecords>(services, slices);
  const double build_ms = seconds_since(started) * 1000;
  const size_t bytes = mallinfo2().uordblks - before;
  std::printf(
      "snapshot: 1000 services (100 headless), 3000 endpoints: %.1f KiB, built in %.2f ms\n",
      bytes / 1024.0, build_ms);

  // The pure responder: bytes in, bytes out.
  const auto query = dns::encode_query(1, {"svc123.ns3.svc.cluster.local", dns::type::A});
  int answered = 0;
  started = Clock::now();
  while (seconds_since(started) < 1.0)
    for (int i = 0; i < 1000; ++i)
      answered += !dns::respond(query, *snapshot, dns::Transport::Udp).bytes.empty();
  std::printf("responder (no sockets): %.0f answers/s\n", answered / seconds_since(started));

  dns::ClusterDnsOptions options;
  options.listen_address = "127.0.0.1";
  options.port = 0;
  dns::ClusterDns server(options);
  server.start();
  server.update(services, slices);

  std::atomic<long> total{0};
  std::atomic<long> lost{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      asio::io_context io;
      asio::ip::udp::socket socket(io, asio::ip::udp::v4());
      socket.connect({asio::ip::make_address("127.0.0.1"), server.port()});
      timeval timeout{1, 0};
      ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
      std::vector<uint8_t> answer(4096);
      auto bytes = dns::encode_query(static_cast<uint16_t>(c),
                                     {"svc123.ns3.svc.cluster.local", dns::type::A});
      while (!stop) {
        socket.send(asio::buffer(bytes));
        boost::system::error_code error;
        socket.receive(asio::buffer(answer), 0, error);
        ++(error ? lost : total);
      }
    });
  }
  started = Clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& thread : threads) thread.join();
  const double elapsed = seconds_since(started);
  std::printf("udp on loopback, %d clients: %.0f queries/s, mean round trip %.1f us, %ld lost\n",
              clients, total / elapsed, elapsed * clients / std::max(1L, total.load()) * 1e6,
              lost.load());
  server.stop();
  return 0;
}
