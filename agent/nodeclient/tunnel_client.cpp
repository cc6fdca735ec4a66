#include "agent/nodeclient/tunnel_client.h"

#include "agent/nodeclient/grpc_call.h"
#include "pkg/log/log.h"

namespace skiff::agent::nodeclient {

namespace v1 = skiff::node::v1;

namespace {

StreamRequest::Kind kind_of(v1::StreamRequest::Kind kind) {
  switch (kind) {
    case v1::StreamRequest::EXEC:
      return StreamRequest::Kind::Exec;
    case v1::StreamRequest::ATTACH:
      return StreamRequest::Kind::Attach;
    case v1::StreamRequest::PORT_FORWARD:
      return StreamRequest::Kind::PortForward;
    default:
      return StreamRequest::Kind::Logs;
  }
}

// The handler's view of one Stream call.
class GrpcStreamChannel : public StreamChannel {
 public:
  using Call = grpc::ClientReaderWriter<v1::StreamFrame, v1::StreamFrame>;
  GrpcStreamChannel(Call& call, uint64_t id) : call_(call), id_(id) {}

  std::optional<StreamFrame> read() override {
    v1::StreamFrame message;
    while (!ended_ && call_.Read(&message)) {
      StreamFrame frame;
      switch (message.body_case()) {
        case v1::StreamFrame::kData:
          frame.channel = message.data().channel();
          frame.data = message.data().data();
          return frame;
        case v1::StreamFrame::kClose:
          frame.type = StreamFrame::Type::Close;
          frame.channel = message.close().channel();
          return frame;
        case v1::StreamFrame::kResize:
          frame.type = StreamFrame::Type::Resize;
          frame.width = message.resize().width();
          frame.height = message.resize().height();
          return frame;
        case v1::StreamFrame::kEnd:
          ended_ = true;  // the server's client went away
          return std::nullopt;
        case v1::StreamFrame::BODY_NOT_SET:
          break;
      }
    }
    ended_ = true;
    return std::nullopt;
  }

  bool write(uint32_t channel, std::string_view data) override {
    v1::StreamFrame message;
    message.set_stream_id(id_);
    message.mutable_data()->set_channel(channel);
    message.mutable_data()->set_data(std::string(data));
    std::lock_guard lock(write_mutex_);
    return call_.Write(message);
  }

  void end(const StreamResult& result) {
    v1::StreamFrame message;
    message.set_stream_id(id_);
    message.mutable_end()->set_exit_code(result.exit_code);
    message.mutable_end()->set_error(result.error);
    std::lock_guard lock(write_mutex_);
    call_.Write(message);
  }

 private:
  Call& call_;
  const uint64_t id_;
  std::atomic<bool> ended_{false};
  std::mutex write_mutex_;
};

}  // namespace

TunnelClient::TunnelClient(v1::Node::Stub& stub, std::string node_name, std::string token,
                           StreamHandler& handler)
    : stub_(stub), node_name_(std::move(node_name)), token_(std::move(token)), handler_(handler) {}

TunnelClient::~TunnelClient() {
  stop();
}

void TunnelClient::start() {
  listener_ = std::thread([this] { listen(); });
}

void TunnelClient::stop() {
  std::vector<Worker> workers;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    tunnel_context_.TryCancel();
    for (auto& worker : workers_) worker.context->TryCancel();
    workers.swap(workers_);
  }
  if (listener_.joinable()) listener_.join();
  for (auto& worker : workers) worker.thread.join();
}

void TunnelClient::listen() {
  prepare_call(tunnel_context_, token_);
  v1::TunnelRequest request;
  request.set_node_name(node_name_);
  auto reader = stub_.Tunnel(&tunnel_context_, request);
  v1::StreamRequest message;
  while (reader->Read(&message)) {
    std::lock_guard lock(mutex_);
    if (stopping_) break;
    reap_finished_locked();
    Worker worker{std::thread(), std::make_shared<grpc::ClientContext>(),
                  std::make_shared<std::atomic<bool>>(false)};
    prepare_call(*worker.context, token_);
    worker.thread = std::thread([this, message, context = worker.context, done = worker.done] {
      serve(message, *context);
      *done = true;
    });
    workers_.push_back(std::move(worker));
  }
  grpc::Status status = reader->Finish();
  if (!status.ok() && status.error_code() != grpc::StatusCode::CANCELLED) {
    log::debug("tunnel closed", {{"code", static_cast<int>(status.error_code())},
                                 {"error", status.error_message()}});
  }
}

void TunnelClient::reap_finished_locked() {
  std::erase_if(workers_, [](Worker& worker) {
    if (!*worker.done) return false;
    worker.thread.join();
    return true;
  });
}

void TunnelClient::serve(const v1::StreamRequest& message, grpc::ClientContext& context) {
  StreamRequest request;
  request.id = message.stream_id();
  request.kind = kind_of(message.kind());
  request.pod = {message.pod().namespace_name(), message.pod().name(), message.pod().uid()};
  request.container = message.container();
  request.options = Json::parse(message.options(), nullptr, /*allow_exceptions=*/false);
  if (!request.options.is_object()) request.options = Json::object();

  auto call = stub_.Stream(&context);
  v1::StreamFrame first;  // names the stream this call answers
  first.set_stream_id(request.id);
  if (call->Write(first)) {
    GrpcStreamChannel channel(*call, request.id);
    StreamResult result;
    try {
      result = handler_.serve(request, channel);
    } catch (const std::exception& error) {
      result = {1, std::string("the agent failed to serve the stream: ") + error.what()};
    }
    channel.end(result);
    call->WritesDone();
    v1::StreamFrame ignored;
    while (call->Read(&ignored)) {
    }
  }
  grpc::Status status = call->Finish();
  if (!status.ok() && status.error_code() != grpc::StatusCode::CANCELLED) {
    log::debug("tunnel stream ended with an error",
               {{"stream", request.id}, {"error", status.error_message()}});
  }
}

}  // namespace skiff::agent::nodeclient
