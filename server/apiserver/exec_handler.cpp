// pods/{name}/exec over WebSocket v5.channel.k8s.io (see pod_stream_handlers.h).
#include <chrono>
#include <mutex>
#include <thread>

#include "pkg/api/errors.h"
#include "server/apiserver/pod_stream_handlers.h"
#include "server/apiserver/pod_stream_open.h"
#include "server/apiserver/pod_stream_target.h"

namespace skiff::apiserver {

namespace {

using nodeservice::TunnelFrame;

constexpr const char* kChannelProtocol = "v5.channel.k8s.io";
// Channel numbers of the remote command protocol.
constexpr char kStdin = 0, kStdout = 1, kStderr = 2, kError = 3, kResize = 4;
constexpr unsigned char kCloseSignal = 255;  // v5: [255, channel] closes that channel
// client-go (kubectl 1.32) starts reading the socket before it has registered its streams and
// drops messages for a stream it does not know yet ("Unknown stream id 2, discarding
// message"); a command that has already finished would lose its output to that race. So the
// first message waits until this long after the handshake.
constexpr std::chrono::milliseconds kClientSettle{100};

bool offers_protocol(const http::Request& request, std::string_view wanted) {
  for (const auto& [name, value] : request.headers) {
    if (!http::iequals(name, "Sec-WebSocket-Protocol")) continue;
    size_t start = 0;
    while (start <= value.size()) {
      size_t comma = value.find(',', start);
      std::string token =
          value.substr(start, comma == std::string::npos ? value.npos : comma - start);
      const auto first = token.find_first_not_of(" \t");
      const auto last = token.find_last_not_of(" \t");
      if (first != std::string::npos && token.substr(first, last - first + 1) == wanted)
        return true;
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  return false;
}

// One exec between a WebSocket and a tunnel stream. The pump thread reads the agent's frames;
// the client's messages arrive on the WebSocket's I/O thread and go straight to the tunnel.
class ExecSession : public std::enable_shared_from_this<ExecSession> {
 public:
  explicit ExecSession(SharedTunnelStream stream) : stream_(std::move(stream)) {}

  http::WebSocketEvents start(const http::WebSocketPtr& socket, StreamThreads& threads) {
    {
      std::lock_guard lock(mutex_);
      socket_ = socket;
      opened_at_ = std::chrono::steady_clock::now();
    }
    auto self = shared_from_this();
    if (!threads.run([self] { self->pump(); }, [self] { self->stream_->cancel(); })) {
      stream_->cancel();
      socket->close(1001);
    }
    http::WebSocketEvents events;
    events.on_message = [self](std::string message) { self->from_client(message); };
    events.on_close = [self] { self->socket_closed(); };
    return events;
  }

  void cancel() { stream_->cancel(); }

 private:
  // The socket while it is open. Released when it closes: the socket belongs to the HTTP
  // server's I/O context and must not outlive it in a session kept by a thread.
  http::WebSocketPtr socket() {
    std::unique_lock lock(mutex_);
    if (!settled_) {
      const auto until = opened_at_ + kClientSettle;
      lock.unlock();
      std::this_thread::sleep_until(until);  // see kClientSettle
      lock.lock();
      settled_ = true;
    }
    return socket_;
  }
  void socket_closed() {
    stream_->cancel();
    std::lock_guard lock(mutex_);
    socket_.reset();
  }

  void pump() {
    while (auto frame = stream_->read()) {
      if (frame->type == TunnelFrame::Type::End) return finish(exec_status(*frame));
      if (frame->type != TunnelFrame::Type::Data || frame->data.empty()) continue;
      if (frame->channel != kStdout && frame->channel != kStderr) continue;
      std::string message(1, static_cast<char>(frame->channel));
      message += frame->data;
      auto socket = this->socket();
      if (!socket || !socket->send(std::move(message))) return stream_->cancel();
    }
    // The connection to the node broke, or the client went away (then nobody reads this).
    finish({{"metadata", Json::object()},
            {"status", "Failure"},
            {"message", "the connection to the node ended before the command finished"},
            {"reason", "InternalError"},
            {"code", 500}});
  }

  void finish(const Json& status) {
    auto socket = this->socket();
    if (!socket) return;
    socket->send(std::string(1, kError) + status.dump());
    socket->close(1000);
  }

  void from_client(const std::string& message) {
    if (message.empty()) return;
    const auto channel = static_cast<unsigned char>(message[0]);
    const std::string payload = message.substr(1);
    if (channel == static_cast<unsigned char>(kStdin)) {
      stream_->write(TunnelFrame::bytes(0, payload));
    } else if (channel == kCloseSignal && !payload.empty()) {
      stream_->write(TunnelFrame::close(static_cast<unsigned char>(payload[0])));
    } else if (channel == static_cast<unsigned char>(kResize)) {
      Json size = Json::parse(payload, nullptr, /*allow_exceptions=*/false);
      if (!size.is_object()) return;
      TunnelFrame frame;
      frame.type = TunnelFrame::Type::Resize;
      const Json& width = size.value("Width", Json());
      const Json& height = size.value("Height", Json());
      if (!width.is_number_unsigned() || !height.is_number_unsigned()) return;  // ignore junk
      frame.width = width.get<uint32_t>();
      frame.height = height.get<uint32_t>();
      stream_->write(frame);
    }
  }

  const SharedTunnelStream stream_;
  std::mutex mutex_;
  http::WebSocketPtr socket_;
  std::chrono::steady_clock::time_point opened_at_;
  bool settled_ = false;  // the first message may go
};

}  // namespace

Json exec_status(const TunnelFrame& end) {
  if (!end.error.empty()) {
    return {{"metadata", Json::object()},
            {"status", "Failure"},
            {"message", end.error},
            {"reason", "InternalError"},
            {"code", 500}};
  }
  if (end.exit_code == 0) return {{"metadata", Json::object()}, {"status", "Success"}};
  const std::string code = std::to_string(end.exit_code);
  return {{"metadata", Json::object()},
          {"status", "Failure"},
          {"message", "command terminated with non-zero exit code: exit status " + code},
          {"reason", "NonZeroExitCode"},
          {"details", {{"causes", {{{"reason", "ExitCode"}, {"message", code}}}}}}};
}

http::HandlerResult handle_pod_exec(RequestContext& context, nodeservice::NodeTunnel* tunnel,
                                    StreamThreads& threads) {
  const auto& request = context.request;
  if (request.method != "GET" && request.method != "POST")
    throw api::method_not_allowed("the server does not allow this method (" + request.method +
                                  ") on pods/exec");
  auto pod = context.store.get(context.key());
  if (!pod) throw api::not_found(context.resource.qualified(), context.name);
  ExecOptions options = parse_exec_options(request);
  auto target = resolve_stream_target(*pod, context.name, request.query_value("container"));
  check_exec_status(*pod, target.container);
  if (options.stdin_requested || options.tty) {
    throw api::bad_request(
        "interactive exec (stdin, tty) is not supported by skiff yet: run the command without "
        "-i and -t");
  }
  if (!http::websocket_upgrade_requested(request)) {
    if (http::iequals(request.header("Upgrade"), "SPDY/3.1"))
      throw api::bad_request("skiff serves exec over WebSocket (" + std::string(kChannelProtocol) +
                             ") only, not SPDY/3.1: use kubectl 1.30 or newer");
    throw api::bad_request("Upgrade request required");
  }
  if (!offers_protocol(request, kChannelProtocol))
    throw api::bad_request("skiff speaks the " + std::string(kChannelProtocol) +
                           " WebSocket subprotocol only; the client offered \"" +
                           request.header("Sec-WebSocket-Protocol") + "\"");

  auto stream = open_accepted_stream(tunnel, nodeservice::TunnelRequest::Kind::Exec, context,
                                     target, options.to_json());
  auto session = std::make_shared<ExecSession>(std::move(stream));
  http::WebSocketUpgrade upgrade;
  upgrade.subprotocol = kChannelProtocol;
  upgrade.start = [session, &threads](http::WebSocketPtr socket) {
    return session->start(socket, threads);
  };
  upgrade.failed = [session] { session->cancel(); };
  return upgrade;
}

}  // namespace skiff::apiserver
