#pragma once
// The I/O types of the ingress proxy, all bound to the concrete executor of a worker's
// io_context rather than Asio's type-erased any_io_executor: every operation of every request
// goes through them, and the type erasure (an executor copy and an indirect call per handler)
// was a visible share of the proxy's CPU time.
#include <chrono>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/basic_socket_acceptor.hpp>
#include <boost/asio/basic_stream_socket.hpp>
#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace skiff::agent::ingress {

using Executor = boost::asio::io_context::executor_type;
using AsioSocket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, Executor>;
using Acceptor = boost::asio::basic_socket_acceptor<boost::asio::ip::tcp, Executor>;
using Timer = boost::asio::basic_waitable_timer<
    std::chrono::steady_clock, boost::asio::wait_traits<std::chrono::steady_clock>, Executor>;
template <class Socket>
using TlsStream = boost::asio::ssl::stream<Socket>;
// A coroutine of a worker.
template <class T>
using Task = boost::asio::awaitable<T, Executor>;
inline constexpr boost::asio::use_awaitable_t<Executor> use_task;

}  // namespace skiff::agent::ingress
