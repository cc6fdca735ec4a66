#include "pkg/http/server_connection.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include "pkg/http/deferred_response.h"
#include "pkg/http/response_head.h"
#include "pkg/http/server_stream.h"
#include "pkg/http/server_websocket.h"

namespace skiff::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using boost::asio::ip::tcp;

// TLS records carry at most 16 KiB.
constexpr size_t kInlineBodyLimit = 16 * 1024 - 512;
// Room for a typical head (status line and a few headers) before the body.
constexpr size_t kHeadRoom = 256;

namespace {

PlainStream make_stream(Socket socket, const std::shared_ptr<asio::ssl::context>&,
                        std::type_identity<PlainStream>) {
  return socket;
}

TlsStream make_stream(Socket socket, const std::shared_ptr<asio::ssl::context>& tls,
                      std::type_identity<TlsStream>) {
  return TlsStream(std::move(socket), *tls);
}

// The subject of the client's certificate when it verified against the server's client CA
// (the context asks for a certificate but accepts any, so the decision is made here).
std::optional<PeerIdentity> verified_peer(SSL* ssl) {
  if (SSL_get_verify_result(ssl) != X509_V_OK) return std::nullopt;
  X509* certificate = SSL_get0_peer_certificate(ssl);
  if (!certificate) return std::nullopt;
  PeerIdentity identity;
  X509_NAME* subject = X509_get_subject_name(certificate);
  for (int i = 0; i < X509_NAME_entry_count(subject); ++i) {
    X509_NAME_ENTRY* entry = X509_NAME_get_entry(subject, i);
    const int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(entry));
    if (nid != NID_commonName && nid != NID_organizationName) continue;
    unsigned char* text = nullptr;
    const int length = ASN1_STRING_to_UTF8(&text, X509_NAME_ENTRY_get_data(entry));
    if (length < 0) continue;
    std::string value(reinterpret_cast<char*>(text), static_cast<size_t>(length));
    OPENSSL_free(text);
    if (nid == NID_commonName)
      identity.common_name = std::move(value);
    else
      identity.organizations.push_back(std::move(value));
  }
  if (identity.common_name.empty()) return std::nullopt;
  std::tm valid_from{};
  if (ASN1_TIME_to_tm(X509_get0_notBefore(certificate), &valid_from) != 1) return std::nullopt;
  identity.not_before = std::chrono::system_clock::from_time_t(timegm(&valid_from));
  return identity;
}

}  // namespace

template <class Stream>
BasicConnection<Stream>::BasicConnection(std::shared_ptr<Server::Core> core, Socket socket,
                                         std::shared_ptr<asio::ssl::context> tls)
    : core_(std::move(core)),
      tls_(std::move(tls)),
      stream_(make_stream(std::move(socket), tls_, std::type_identity<Stream>{})),
      deadline_timer_(stream_.get_executor()),
      io_context_(stream_.get_executor().context()),
      handoff_(core_->handoff_target(io_context_)) {
  beast::error_code ec;
  auto endpoint = this->socket().remote_endpoint(ec);
  if (!ec) remote_address_ = endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
}

template <class Stream>
void BasicConnection<Stream>::start() {
  asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
    if constexpr (kTls) {
      self->set_deadline(self->core_->options.header_timeout);
      self->stream_.async_handshake(asio::ssl::stream_base::server,
                                    [self](beast::error_code ec) { self->on_handshake(ec); });
    } else {
      self->read_header();
    }
  });
}

template <class Stream>
void BasicConnection<Stream>::on_handshake(beast::error_code ec) {
  if constexpr (kTls) {
    if (ec) return close_socket();  // not TLS, no common version or cipher, timeout
    peer_ = verified_peer(stream_.native_handle());
    read_header();
  }
}

template <class Stream>
void BasicConnection<Stream>::write_raw(asio::const_buffer bytes, WriteDone done) {
  asio::async_write(stream_, bytes, std::move(done));
}

template <class Stream>
void BasicConnection<Stream>::shutdown() {
  asio::post(stream_.get_executor(), [self = shared_from_this()] {
    switch (self->state_) {
      case State::Reading:
        self->close_socket();
        break;
      case State::Streaming:
        if (self->active_stream_) self->active_stream_->close();
        break;
      case State::Upgraded:
        if (self->active_websocket_) self->active_websocket_->close(1001);  // going away
        break;
      default:
        break;  // the response in flight is sent with Connection: close
    }
  });
}

template <class Stream>
void BasicConnection<Stream>::read_header() {
  if (core_->stopping) return close_socket();
  state_ = State::Reading;
  parser_.emplace();
  parser_->body_limit(core_->options.body_limit);
  parser_->header_limit(static_cast<std::uint32_t>(core_->options.header_limit));
  set_deadline(first_request_ ? core_->options.header_timeout : core_->options.idle_timeout);
  first_request_ = false;
  bhttp::async_read_header(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->on_header(ec); });
}

template <class Stream>
void BasicConnection<Stream>::on_header(beast::error_code ec) {
  // Beast checks Content-Length against the body limit while parsing the header.
  if (ec == bhttp::error::body_limit) return reject_too_large();
  if (ec) return close_socket();  // EOF, timeout, garbage: nobody to answer
  auto length = parser_->content_length();
  if (length && *length > core_->options.body_limit) return reject_too_large();
  if (http::iequals(std::string_view(parser_->get()[bhttp::field::expect]), "100-continue")) {
    auto interim = std::make_shared<std::string>("HTTP/1.1 100 Continue\r\n\r\n");
    asio::async_write(stream_, asio::buffer(*interim),
                      [self = shared_from_this(), interim](beast::error_code ec, size_t) {
                        if (ec) return self->close_socket();
                        self->read_body();
                      });
    return;
  }
  read_body();
}

template <class Stream>
void BasicConnection<Stream>::read_body() {
  if (parser_->is_done()) return on_body({});
  set_deadline(core_->options.header_timeout);
  bhttp::async_read(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->on_body(ec); });
}

template <class Stream>
void BasicConnection<Stream>::on_body(beast::error_code ec) {
  if (ec == bhttp::error::body_limit) return reject_too_large();
  if (ec) return close_socket();
  clear_deadline();
  auto message = parser_->release();
  keep_alive_ = message.keep_alive();
  if (beast::websocket::is_upgrade(message)) {
    upgrade_request_.emplace(message);
  } else {
    upgrade_request_.reset();
  }
  auto request = std::make_shared<Request>();
  request->method = std::string(message.method_string());
  request->target = std::string(message.target());
  parse_target(request->target, *request);
  request->headers.reserve(static_cast<size_t>(std::distance(message.begin(), message.end())));
  for (const auto& field : message)
    request->headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  request->body = std::move(message.body());
  request->remote_address = remote_address_;
  request->tls = kTls;
  request->client_identity = peer_;
  state_ = State::Handling;
  if (core_->options.handle_on_io_thread && core_->options.handle_on_io_thread(*request)) {
    handle(*request);  // we are on the connection's strand: the answer is written right away
    return;
  }
  bool posted = core_->pool->post([self = shared_from_this(), request] { self->handle(*request); });
  if (!posted) close_socket();
}

template <class Stream>
void BasicConnection<Stream>::handle(Request& request) {
  HandlerResult result;
  try {
    result = core_->handler(request);
  } catch (const std::exception& e) {
    result = status_response(500, "InternalError", e.what());
  } catch (...) {
    result = status_response(500, "InternalError", "unknown error");
  }
  if (auto* upgrade = std::get_if<WebSocketUpgrade>(&result)) {
    asio::post(stream_.get_executor(),
               [self = shared_from_this(), upgrade = std::move(*upgrade)]() mutable {
                 self->begin_websocket(std::move(upgrade));
               });
    return;
  }
  // Runs at once when answered on the connection's thread, else is handed to it (in a batch
  // with the other answers of a group commit, see util::HandoffBatch). A deferred answer stops
  // counting as pending once it is being sent: stop() must not let the I/O thread run out of
  // work while an answer is still on its way there.
  auto deliver = [self = shared_from_this()](Response response, bool deferred) {
    auto write_answer = [self, deferred, response = std::move(response)]() mutable {
      self->send(std::move(response), false);
      if (deferred) self->core_->deferred_answer_sent();
    };
    if (self->io_context_.get_executor().running_in_this_thread()) return write_answer();
    util::HandoffBatch::hand_off(self->handoff_, std::move(write_answer));
  };
  if (auto* response = std::get_if<Response>(&result)) return deliver(std::move(*response), false);
  if (auto* deferred = std::get_if<DeferredResponse>(&result)) {
    // Counted until answered, so that stop() can wait for the answers still to come.
    ++core_->deferred_pending;
    start_deferred(*deferred, make_responder([deliver = std::move(deliver)](Response response) {
      deliver(std::move(response), true);
    }));
    return;
  }
  auto& streaming = std::get<StreamingResponse>(result);
  auto stream =
      std::make_shared<StreamImpl>(shared_from_this(), core_->options.stream_queue_limit,
                                   format_stream_head(streaming.status, streaming.headers));
  asio::post(stream_.get_executor(),
             [self = shared_from_this(), stream] { self->begin_streaming(stream); });
  if (!streaming.start) return stream->close();
  try {
    streaming.start(stream);
  } catch (...) {
    stream->close();  // the headers are out; all we can do is end the body
  }
}

template <class Stream>
template <class OnDone>
void BasicConnection<Stream>::write_response(Response response, OnDone on_done) {
  state_ = State::Writing;
  const bool inline_body = response.body.size() <= kInlineBodyLimit;
  response_head_.clear();
  response_head_.reserve(kHeadRoom + (inline_body ? response.body.size() : 0));
  append_response_head(response_head_, response.status, response.headers, response.body.size(),
                       keep_alive_);
  set_deadline(core_->options.write_timeout);
  auto done = [self = shared_from_this(), on_done = std::move(on_done)](
                  beast::error_code ec, size_t) mutable { on_done(*self, ec); };
  // A body that fits one TLS record goes in the same buffer as the head (one record, one
  // system call). A larger one follows as a second buffer; the sequence must be one that
  // skips a used-up buffer: Beast's TLS stream takes an empty first buffer for the end.
  if (inline_body) {
    response_head_ += response.body;
    response_body_.clear();
    return asio::async_write(stream_, asio::buffer(response_head_), std::move(done));
  }
  response_body_ = std::move(response.body);
  asio::async_write(
      stream_,
      std::vector<asio::const_buffer>{asio::buffer(response_head_), asio::buffer(response_body_)},
      std::move(done));
}

template <class Stream>
void BasicConnection<Stream>::send(Response response, bool close_after) {
  if (state_ == State::Closed) return;
  keep_alive_ = keep_alive_ && !close_after && !core_->stopping;
  write_response(std::move(response),
                 [](BasicConnection& self, beast::error_code ec) { self.on_written(ec); });
}

template <class Stream>
void BasicConnection<Stream>::on_written(beast::error_code ec) {
  if (ec || !keep_alive_) return close_socket();
  read_header();
}

template <class Stream>
void BasicConnection<Stream>::begin_streaming(const std::shared_ptr<StreamImpl>& stream) {
  if (state_ == State::Closed) return stream->connection_gone();
  state_ = State::Streaming;
  active_stream_ = stream;
  clear_deadline();
  stream->send_head();
  if (core_->stopping) stream->close();
  watch_for_disconnect();
}

template <class Stream>
void BasicConnection<Stream>::begin_websocket(WebSocketUpgrade upgrade) {
  if (state_ == State::Closed) {
    if (upgrade.failed) upgrade.failed();
    return;
  }
  if (!upgrade_request_) {
    // A handler bug: only upgrade requests can be upgraded. Answer rather than hang.
    if (upgrade.failed) upgrade.failed();
    return send(status_response(400, "BadRequest", "the request is not a WebSocket upgrade"), true);
  }
  if (core_->stopping) {
    if (upgrade.failed) upgrade.failed();
    return send(status_response(503, "ServiceUnavailable", "the server is shutting down"), true);
  }
  state_ = State::Upgraded;
  clear_deadline();
  deadline_timer_.cancel();  // the WebSocket keeps its own time
  auto websocket = std::make_shared<WebSocketImpl<Stream>>(
      std::move(stream_), core_->options.stream_queue_limit, core_->options.websocket_idle_timeout);
  active_websocket_ = websocket;
  auto request = std::move(*upgrade_request_);
  upgrade_request_.reset();
  websocket->accept(std::move(request), std::move(upgrade), [self = shared_from_this()] {
    // On the strand: the socket is gone; drop the reference (it held this connection).
    self->state_ = State::Closed;
    self->active_websocket_.reset();
  });
}

template <class Stream>
void BasicConnection<Stream>::watch_for_disconnect() {
  // The client sends nothing during a stream; a completed read means EOF or an error, i.e.
  // the client went away. Stray bytes are ignored (the stream ends the connection anyway).
  stream_.async_read_some(asio::buffer(scratch_),
                          [self = shared_from_this()](beast::error_code ec, size_t) {
                            if (ec) return self->close_socket();
                            self->watch_for_disconnect();
                          });
}

template <class Stream>
void BasicConnection<Stream>::reject_too_large() {
  keep_alive_ = false;
  write_response(status_response(413, "RequestEntityTooLarge",
                                 "the request body is larger than the limit of " +
                                     std::to_string(core_->options.body_limit) + " bytes"),
                 [](BasicConnection& self, beast::error_code ec) {
                   if (ec) return self.close_socket();
                   self.linger_then_close();
                 });
}

template <class Stream>
void BasicConnection<Stream>::linger_then_close() {
  // Closing with unread request bytes would reset the connection and could destroy the 413
  // before the client reads it; so half-close and drain for a little while first.
  beast::error_code ignored;
  socket().shutdown(tcp::socket::shutdown_send, ignored);
  set_deadline(std::chrono::seconds(5));
  stream_.async_read_some(asio::buffer(scratch_),
                          [self = shared_from_this()](beast::error_code ec, size_t) {
                            if (ec) return self->close_socket();
                            self->linger_then_close();
                          });
}

template <class Stream>
void BasicConnection<Stream>::close_socket() {
  if (state_ == State::Closed) return;
  if (state_ == State::Upgraded) {  // the socket belongs to the WebSocket now
    if (auto websocket = active_websocket_) websocket->abort();
    return;
  }
  state_ = State::Closed;
  beast::error_code ignored;
  socket().shutdown(tcp::socket::shutdown_both, ignored);
  socket().close(ignored);
  clear_deadline();
  deadline_timer_.cancel();
  if (auto stream = std::move(active_stream_)) stream->connection_gone();
}

template <class Stream>
void BasicConnection<Stream>::set_deadline(std::chrono::steady_clock::duration timeout) {
  deadline_ = std::chrono::steady_clock::now() + timeout;
  if (!timer_expiry_ || *timer_expiry_ > deadline_) wait_for_deadline(deadline_);
}

template <class Stream>
void BasicConnection<Stream>::wait_for_deadline(std::chrono::steady_clock::time_point expiry) {
  timer_expiry_ = expiry;
  deadline_timer_.expires_at(expiry);  // a pending wait ends as aborted, and is stale anyway
  deadline_timer_.async_wait([self = shared_from_this(), generation = ++timer_generation_](
                                 beast::error_code) { self->on_deadline_timer(generation); });
}

template <class Stream>
void BasicConnection<Stream>::on_deadline_timer(std::uint64_t generation) {
  if (generation != timer_generation_) return;  // replaced by an earlier expiry
  timer_expiry_.reset();
  if (state_ == State::Closed || state_ == State::Upgraded) return;
  if (deadline_ == std::chrono::steady_clock::time_point::max()) return;  // nothing to wait for
  if (std::chrono::steady_clock::now() < deadline_) return wait_for_deadline(deadline_);
  // The read or write in progress ends with an error and its handler finds the socket closed.
  close_socket();
}

template class BasicConnection<PlainStream>;
template class BasicConnection<TlsStream>;

}  // namespace skiff::http
