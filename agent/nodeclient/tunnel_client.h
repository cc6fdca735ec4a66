#pragma once
// The agent's side of the reverse tunnel for one connection: listens on the Tunnel call and
// answers each request with a Stream call of its own, served by the StreamHandler on a thread
// of its own. stop() cancels the Tunnel call and every open stream (their handlers see read()
// return none and write() fail) and joins the threads.
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "agent/nodeclient/node_session.h"
#include "proto/node.grpc.pb.h"

namespace skiff::agent::nodeclient {

class TunnelClient {
 public:
  // `stub` and `handler` must outlive the client.
  TunnelClient(skiff::node::v1::Node::Stub& stub, std::string node_name, std::string token,
               StreamHandler& handler);
  ~TunnelClient();
  TunnelClient(const TunnelClient&) = delete;
  TunnelClient& operator=(const TunnelClient&) = delete;

  void start();
  void stop();  // idempotent

 private:
  struct Worker {
    std::thread thread;
    std::shared_ptr<grpc::ClientContext> context;
    std::shared_ptr<std::atomic<bool>> done;
  };
  void listen();
  void serve(const skiff::node::v1::StreamRequest& message, grpc::ClientContext& context);
  void reap_finished_locked();

  skiff::node::v1::Node::Stub& stub_;
  const std::string node_name_;
  const std::string token_;
  StreamHandler& handler_;

  std::mutex mutex_;
  bool stopping_ = false;
  grpc::ClientContext tunnel_context_;
  std::thread listener_;
  std::vector<Worker> workers_;
};

}  // namespace skiff::agent::nodeclient
