#include "tests/integration/support/http_test_backend.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <stdexcept>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace skiff::testing {

namespace http = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

HttpTestBackend::HttpTestBackend(std::string name) : name_(std::move(name)) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) ||
      ::listen(listen_fd_, 128)) {
    throw std::runtime_error("test backend: cannot listen on loopback");
  }
  socklen_t length = sizeof address;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length);
  port_ = ntohs(address.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

HttpTestBackend::~HttpTestBackend() {
  stopping_ = true;
  ::shutdown(listen_fd_, SHUT_RDWR);
  acceptor_.join();
  ::close(listen_fd_);
  {
    std::lock_guard lock(mutex_);
    for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
  }
  for (auto& thread : threads_) thread.join();
}

void HttpTestBackend::accept_loop() {
  while (!stopping_) {
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (stopping_) return;
      continue;
    }
    ++accepted_;
    std::lock_guard lock(mutex_);
    open_fds_.push_back(fd);
    threads_.emplace_back([this, fd] { serve(fd); });
  }
}

namespace {

void write_all(tcp::socket& socket, std::string_view data) {
  net::write(socket, net::buffer(data.data(), data.size()));
}

}  // namespace

void HttpTestBackend::serve(int fd) {
  net::io_context context;
  tcp::socket socket(context);
  socket.assign(tcp::v4(), ::dup(fd));
  boost::beast::flat_buffer buffer;
  std::vector<char> piece(64 * 1024);
  try {
    for (;;) {
      http::request_parser<http::buffer_body> parser;
      parser.body_limit(std::numeric_limits<std::uint64_t>::max());
      http::read_header(socket, buffer, parser);
      auto& request = parser.get();
      size_t received = 0;
      while (!parser.is_done()) {
        request.body().data = piece.data();
        request.body().size = piece.size();
        boost::system::error_code error;
        http::read(socket, buffer, parser, error);
        if (error && error != http::error::need_buffer) throw boost::system::system_error(error);
        received += piece.size() - request.body().size;
      }
      const std::string target(request.target());
      const bool keep_alive = request.keep_alive();

      if (request.count(http::field::upgrade) != 0) {
        write_all(socket, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: " +
                              std::string(request[http::field::upgrade]) + "\r\n\r\n");
        if (buffer.size() != 0) {
          net::write(socket, buffer.data());
          buffer.consume(buffer.size());
        }
        for (;;) {
          boost::system::error_code error;
          const size_t got = socket.read_some(net::buffer(piece), error);
          if (error) break;
          net::write(socket, net::buffer(piece.data(), got));
        }
        break;
      }
      if (target == "/hangup") break;
      if (target.rfind("/slow/", 0) == 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(std::stoi(target.substr(6))));
      }
      if (target.rfind("/download/", 0) == 0) {
        size_t left = std::stoull(target.substr(10));
        write_all(socket, "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(left) +
                              "\r\nContent-Type: application/octet-stream\r\n\r\n");
        std::fill(piece.begin(), piece.end(), 'x');
        while (left > 0) {
          const size_t now = std::min(left, piece.size());
          net::write(socket, net::buffer(piece.data(), now));
          left -= now;
        }
      } else if (target == "/drip") {
        write_all(socket, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nfirst\r\n");
        std::this_thread::sleep_for(std::chrono::seconds(1));
        write_all(socket, "6\r\nsecond\r\n0\r\n\r\n");
      } else if (target == "/chunked") {
        write_all(socket,
                  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "5\r\nalpha\r\n4\r\nbeta\r\n5\r\ngamma\r\n0\r\n\r\n");
      } else {
        std::string body = "backend=" + name_ + " method=" + std::string(request.method_string()) +
                           " target=" + target +
                           " host=" + std::string(request[http::field::host]) +
                           " body=" + std::to_string(received) + "\n";
        for (const char* header : {"X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host",
                                   "X-Forwarded-Port", "X-Real-IP"}) {
          if (request.count(header) != 0) {
            body += std::string(header) + ": " + std::string(request[header]) + "\n";
          }
        }
        const bool head = request.method() == http::verb::head;
        write_all(socket, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " +
                              std::to_string(body.size()) + "\r\n" +
                              (keep_alive ? "" : "Connection: close\r\n") + "\r\n" +
                              (head ? std::string() : body));
      }
      if (!keep_alive) break;
    }
  } catch (const std::exception&) {
    // The peer went away or sent garbage: this connection is over.
  }
  boost::system::error_code ignored;
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
  std::lock_guard lock(mutex_);
  open_fds_.erase(std::remove(open_fds_.begin(), open_fds_.end(), fd), open_fds_.end());
  ::close(fd);
}

}  // namespace skiff::testing
