#pragma once
// Moving HTTP bodies and raw bytes between two streams without holding more than one piece of
// them: a parser with a buffer_body fills a fixed buffer, a serializer writes it out with the
// message's own framing (Content-Length or chunked), and only then is the next piece read.
#include <cstddef>

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
#include "agent/ingress/proxy_io.h"

#include "agent/ingress/deadlines.h"

namespace skiff::agent::ingress {

// Which side failed, so the caller can answer 502 (upstream) or just hang up (client).
struct RelayResult {
  boost::system::error_code read_error;
  boost::system::error_code write_error;
  bool ok() const { return !read_error && !write_error; }
};

// Parses body bytes already in `buffer` into `chunk` without I/O; returns how many landed there.
// Stops at the end of the message (bytes after it stay in `buffer`) or when `chunk` is full.
template <bool IsRequest>
std::size_t parse_buffered(
    boost::beast::http::parser<IsRequest, boost::beast::http::buffer_body>& parser,
    boost::beast::flat_buffer& buffer, char* chunk, std::size_t chunk_size,
    boost::system::error_code& error) {
  namespace http = boost::beast::http;
  auto& body = parser.get().body();
  body.data = chunk;
  body.size = chunk_size;
  while (!parser.is_done() && buffer.size() != 0 && body.size != 0) {
    const std::size_t used = parser.put(buffer.data(), error);
    buffer.consume(used);
    if (error == http::error::need_more || error == http::error::need_buffer) error = {};
    if (error || used == 0) break;
  }
  return chunk_size - body.size;
}

// True when the whole message is in hand (no body, or a body that was already read and fits
// in the chunk): then its body is set up to be written in one operation, no relay needed.
// Otherwise `prefilled` says how much of the body is already in the chunk, for relay_message.
// `chunk.get()` gives the chunk; it is only asked for when there is a body.
template <bool IsRequest, class Chunk>
bool whole_message_ready(
    boost::beast::http::parser<IsRequest, boost::beast::http::buffer_body>& parser,
    boost::beast::flat_buffer& buffer, Chunk& chunk, std::size_t chunk_size, std::size_t& prefilled,
    boost::system::error_code& error) {
  prefilled = parser.is_done() ? 0 : parse_buffered(parser, buffer, chunk.get(), chunk_size, error);
  if (error || !parser.is_done()) return false;
  auto& body = parser.get().body();
  body.data = prefilled == 0 ? nullptr : chunk.get();
  body.size = prefilled;
  body.more = false;
  return true;
}

// Writes the message header (already parsed into `parser`) and its body from `in` to `out`, a
// piece of at most `chunk_size` at a time; `prefilled` body bytes are already in `chunk`. Each
// side's deadline is pushed its timeout ahead before every operation on that side, so only a
// silent peer times out, not a long transfer.
template <bool IsRequest, class In, class Out>
Task<RelayResult> relay_message(
    In& in, boost::beast::flat_buffer& in_buffer,
    boost::beast::http::parser<IsRequest, boost::beast::http::buffer_body>& parser, Out& out,
    char* chunk, std::size_t chunk_size, Deadline& in_deadline,
    std::chrono::milliseconds in_timeout, Deadline& out_deadline,
    std::chrono::milliseconds out_timeout, std::size_t prefilled = 0) {
  namespace http = boost::beast::http;
  using boost::asio::redirect_error;
  RelayResult result;
  auto& message = parser.get();
  auto& body = message.body();
  http::serializer<IsRequest, http::buffer_body> serializer{message};
  std::size_t filled = prefilled;
  for (;;) {
    if (filled == 0 && !parser.is_done()) {
      filled = parse_buffered(parser, in_buffer, chunk, chunk_size, result.read_error);
      if (result.read_error) co_return result;
    }
    if (filled == 0 && !parser.is_done() && !serializer.is_header_done()) {
      // Nothing buffered yet: the header goes first, so the client of a slow stream sees the
      // answer begin.
      out_deadline.expire_after(out_timeout);
      co_await http::async_write_header(out, serializer,
                                        redirect_error(use_task, result.write_error));
      if (result.write_error) co_return result;
    }
    if (filled == 0 && !parser.is_done()) {
      // Wait for the next piece.
      body.data = chunk;
      body.size = chunk_size;
      in_deadline.expire_after(in_timeout);
      co_await http::async_read_some(in, in_buffer, parser,
                                     redirect_error(use_task, result.read_error));
      if (result.read_error == http::error::need_buffer) result.read_error = {};
      if (result.read_error) co_return result;
      filled = chunk_size - body.size;
    }
    // A read may parse only framing (a chunk header) and no body byte. An empty piece would be
    // taken for the last chunk; no buffer makes the serializer write at most the header.
    body.data = filled == 0 ? nullptr : chunk;
    body.size = filled;
    body.more = !parser.is_done();
    out_deadline.expire_after(out_timeout);
    co_await http::async_write(out, serializer, redirect_error(use_task, result.write_error));
    if (result.write_error == http::error::need_buffer) result.write_error = {};
    if (result.write_error || serializer.is_done()) co_return result;
    filled = 0;
  }
}

}  // namespace skiff::agent::ingress
