// GrpcNodeService: the reverse tunnel calls. Tunnel hands the node's stream requests to its
// agent; Stream is the agent's answer to one of them, pumping frames between the call and the
// TunnelHub (this thread reads from the agent, a second one writes to it: gRPC allows one
// reader and one writer at a time on a call).
#include <thread>

#include "pkg/log/log.h"
#include "server/nodeservice/grpc_node_service.h"

namespace skiff::nodeservice {

namespace v1 = skiff::node::v1;

namespace {

constexpr std::chrono::milliseconds kCancelPoll{500};

v1::StreamRequest::Kind to_proto(TunnelRequest::Kind kind) {
  switch (kind) {
    case TunnelRequest::Kind::Logs:
      return v1::StreamRequest::LOGS;
    case TunnelRequest::Kind::Exec:
      return v1::StreamRequest::EXEC;
    case TunnelRequest::Kind::Attach:
      return v1::StreamRequest::ATTACH;
    case TunnelRequest::Kind::PortForward:
      return v1::StreamRequest::PORT_FORWARD;
  }
  return v1::StreamRequest::KIND_UNSPECIFIED;
}

v1::StreamRequest to_proto(uint64_t stream_id, const TunnelRequest& request) {
  v1::StreamRequest message;
  message.set_stream_id(stream_id);
  message.set_kind(to_proto(request.kind));
  message.mutable_pod()->set_namespace_name(request.namespace_name);
  message.mutable_pod()->set_name(request.pod_name);
  message.mutable_pod()->set_uid(request.pod_uid);
  message.set_container(request.container);
  message.set_options(request.options.dump());
  return message;
}

v1::StreamFrame to_proto(uint64_t stream_id, const TunnelFrame& frame) {
  v1::StreamFrame message;
  message.set_stream_id(stream_id);
  switch (frame.type) {
    case TunnelFrame::Type::Data:
      message.mutable_data()->set_channel(frame.channel);
      message.mutable_data()->set_data(frame.data);
      break;
    case TunnelFrame::Type::Close:
      message.mutable_close()->set_channel(frame.channel);
      break;
    case TunnelFrame::Type::Resize:
      message.mutable_resize()->set_width(frame.width);
      message.mutable_resize()->set_height(frame.height);
      break;
    case TunnelFrame::Type::End:
      message.mutable_end()->set_exit_code(frame.exit_code);
      message.mutable_end()->set_error(frame.error);
      break;
  }
  return message;
}

// None for a frame without a body (the agent's first frame only names the stream).
std::optional<TunnelFrame> from_proto(const v1::StreamFrame& message) {
  switch (message.body_case()) {
    case v1::StreamFrame::kData:
      return TunnelFrame::bytes(message.data().channel(), message.data().data());
    case v1::StreamFrame::kClose:
      return TunnelFrame::close(message.close().channel());
    case v1::StreamFrame::kResize: {
      TunnelFrame frame;
      frame.type = TunnelFrame::Type::Resize;
      frame.width = message.resize().width();
      frame.height = message.resize().height();
      return frame;
    }
    case v1::StreamFrame::kEnd:
      return TunnelFrame::end(message.end().exit_code(), message.end().error());
    case v1::StreamFrame::BODY_NOT_SET:
      break;
  }
  return std::nullopt;
}

}  // namespace

grpc::Status GrpcNodeService::Tunnel(grpc::ServerContext* context, const v1::TunnelRequest* request,
                                     grpc::ServerWriter<v1::StreamRequest>* writer) {
  if (auto status = check_caller(*context, request->node_name()); !status.ok()) return status;
  if (request->node_name().empty()) {
    return {grpc::StatusCode::INVALID_ARGUMENT, "node name is required"};
  }
  auto listener = tunnel_.listen(request->node_name());
  while (!context->IsCancelled()) {
    auto next = listener->next(kCancelPoll);
    if (next) {
      if (!writer->Write(to_proto(next->first, next->second))) break;
    } else if (listener->ended()) {
      return {grpc::StatusCode::UNAVAILABLE, "tunnel closed: a newer connection of node \"" +
                                                 request->node_name() +
                                                 "\" took over, or the server is shutting down"};
    }
  }
  return grpc::Status::CANCELLED;
}

grpc::Status GrpcNodeService::Stream(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<v1::StreamFrame, v1::StreamFrame>* stream) {
  if (auto status = check_caller(*context, ""); !status.ok()) return status;
  v1::StreamFrame first;
  if (!stream->Read(&first)) {
    return {grpc::StatusCode::INVALID_ARGUMENT,
            "a Stream call starts with a frame naming its stream id"};
  }
  const uint64_t id = first.stream_id();
  auto endpoint = tunnel_.attach(id);
  if (!endpoint) {
    return {grpc::StatusCode::NOT_FOUND,
            "stream " + std::to_string(id) +
                " is not waiting for an agent (it timed out or was cancelled)"};
  }
  if (auto frame = from_proto(first)) endpoint->deliver(std::move(*frame));

  std::thread writer([&] {
    while (auto frame = endpoint->next_outbound()) {
      if (!stream->Write(to_proto(id, *frame))) return;
    }
    if (endpoint->cancelled()) {
      stream->Write(to_proto(id, TunnelFrame::end(0, "cancelled by the server")));
      context->TryCancel();  // ends the Read below
    }
  });
  v1::StreamFrame message;
  while (stream->Read(&message)) {
    auto frame = from_proto(message);
    if (frame && !endpoint->deliver(std::move(*frame))) break;
  }
  endpoint->finish();
  writer.join();
  return grpc::Status::OK;
}

}  // namespace skiff::nodeservice
