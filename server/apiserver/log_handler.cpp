// GET pods/{name}/log (see pod_stream_handlers.h).
#include "pkg/api/errors.h"
#include "server/apiserver/pod_stream_handlers.h"
#include "server/apiserver/pod_stream_open.h"
#include "server/apiserver/pod_stream_target.h"

namespace skiff::apiserver {

namespace {

using nodeservice::TunnelFrame;

// Appends `data` to what was sent, up to `limit` bytes (0 = none); false once the limit is hit.
bool within_limit(std::string& data, int64_t limit, int64_t& sent) {
  if (limit <= 0) return true;
  const int64_t room = limit - sent;
  if (static_cast<int64_t>(data.size()) >= room) {
    data.resize(static_cast<size_t>(std::max<int64_t>(room, 0)));
    sent = limit;
    return false;
  }
  sent += static_cast<int64_t>(data.size());
  return true;
}

http::Response whole_log(const SharedTunnelStream& stream, int64_t limit) {
  std::string body;
  int64_t sent = 0;
  while (auto frame = stream->read()) {
    if (frame->type == TunnelFrame::Type::End) {
      if (!frame->error.empty() && body.empty()) throw agent_refusal(*frame);
      break;
    }
    if (frame->type != TunnelFrame::Type::Data) continue;
    std::string data = std::move(frame->data);
    const bool more = within_limit(data, limit, sent);
    body += data;
    if (!more) {
      stream->cancel();
      break;
    }
  }
  return http::Response{200, {{"Content-Type", "text/plain"}}, std::move(body)};
}

// Copies the agent's frames to the client until the log ends, the client goes away (on_close
// cancels the stream, which ends read()) or the byte limit is reached.
void pump_log(const SharedTunnelStream& stream, const http::ResponseStreamPtr& out, int64_t limit) {
  int64_t sent = 0;
  while (auto frame = stream->read()) {
    if (frame->type == TunnelFrame::Type::End) break;
    if (frame->type != TunnelFrame::Type::Data || frame->data.empty()) continue;
    std::string data = std::move(frame->data);
    const bool more = within_limit(data, limit, sent);
    if (!data.empty() && !out->write(std::move(data))) break;
    if (!more) break;
  }
  stream->cancel();
  out->close();
}

}  // namespace

http::HandlerResult handle_pod_log(RequestContext& context, nodeservice::NodeTunnel* tunnel,
                                   StreamThreads& threads) {
  if (context.request.method != "GET")
    throw api::method_not_allowed("the server does not allow this method (" +
                                  context.request.method + ") on pods/log");
  auto pod = context.store.get(context.key());
  if (!pod) throw api::not_found(context.resource.qualified(), context.name);
  Json options = parse_log_options(context.request);
  auto target = resolve_stream_target(*pod, context.name, context.request.query_value("container"));
  check_log_status(*pod, context.name, target.container, options.value("previous", false));
  const bool follow = options.value("follow", false);
  const int64_t limit = options.value("limitBytes", int64_t{0});

  auto stream = open_accepted_stream(tunnel, nodeservice::TunnelRequest::Kind::Logs, context,
                                     target, options);
  if (!follow) return whole_log(stream, limit);

  http::StreamingResponse response;
  response.headers = {{"Content-Type", "text/plain"}};
  response.start = [stream, &threads, limit](http::ResponseStreamPtr out) {
    out->on_close([stream] { stream->cancel(); });
    const bool started = threads.run([stream, out, limit] { pump_log(stream, out, limit); },
                                     [stream] { stream->cancel(); });
    if (!started) {
      stream->cancel();
      out->close();
    }
  };
  return response;
}

}  // namespace skiff::apiserver
