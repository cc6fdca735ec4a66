#pragma once
// Moving HTTP bodies and raw bytes between two streams without holding more than one piece of
// them: a parser with a buffer_body fills a fixed buffer, a serializer writes it out with the
// message's own framing (Content-Length or chunked), and only then is the next piece read.
#include <cstddef>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>

#include "agent/ingress/deadlines.h"

namespace skiff::agent::ingress {

// Which side failed, so the caller can answer 502 (upstream) or just hang up (client).
struct RelayResult {
  boost::system::error_code read_error;
  boost::system::error_code write_error;
  bool ok() const { return !read_error && !write_error; }
};

// Writes the message header (already parsed into `parser`) and its body from `in` to `out`.
// `chunk` is the piece buffer. Each side's deadline is pushed its timeout ahead before every
// operation on that side, so only a silent peer times out, not a long transfer.
template <bool IsRequest, class In, class Out>
boost::asio::awaitable<RelayResult> relay_message(
    In& in, boost::beast::flat_buffer& in_buffer,
    boost::beast::http::parser<IsRequest, boost::beast::http::buffer_body>& parser, Out& out,
    char* chunk, std::size_t chunk_size, Deadline& in_deadline,
    std::chrono::milliseconds in_timeout, Deadline& out_deadline,
    std::chrono::milliseconds out_timeout) {
  namespace http = boost::beast::http;
  using boost::asio::redirect_error;
  using boost::asio::use_awaitable;
  RelayResult result;
  auto& message = parser.get();
  http::serializer<IsRequest, http::buffer_body> serializer{message};
  for (;;) {
    if (!parser.is_done()) {
      message.body().data = chunk;
      message.body().size = chunk_size;
      in_deadline.expire_after(in_timeout);
      co_await http::async_read_some(in, in_buffer, parser,
                                     redirect_error(use_awaitable, result.read_error));
      if (result.read_error == http::error::need_buffer) result.read_error = {};
      if (result.read_error) co_return result;
      message.body().size = chunk_size - message.body().size;
      // A read may parse only framing (a chunk header) and no body byte. An empty buffer would
      // be taken for the last chunk; no buffer makes the serializer write at most the header.
      message.body().data = message.body().size == 0 ? nullptr : chunk;
      message.body().more = !parser.is_done();
    } else {
      message.body().data = nullptr;
      message.body().size = 0;
      message.body().more = false;
    }
    out_deadline.expire_after(out_timeout);
    co_await http::async_write(out, serializer, redirect_error(use_awaitable, result.write_error));
    if (result.write_error == http::error::need_buffer) result.write_error = {};
    if (result.write_error) co_return result;
    if (serializer.is_done()) co_return result;
  }
}

}  // namespace skiff::agent::ingress
