#pragma once
// What every node protocol call from the agent carries (proto/node.proto): the token and the
// protocol version as metadata, and a deadline for unary calls.
#include <grpcpp/client_context.h>

#include <chrono>
#include <string>

#include "proto/node.grpc.pb.h"

namespace skiff::agent::nodeclient {

inline constexpr uint32_t kProtocolVersion = skiff::node::v1::PROTOCOL_VERSION_1;

inline void prepare_call(grpc::ClientContext& context, const std::string& token,
                         std::chrono::milliseconds timeout = std::chrono::milliseconds(0)) {
  // Over mutual TLS the certificate is the credential; a token is for in-process channels.
  if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
  context.AddMetadata("skiff-node-protocol", std::to_string(kProtocolVersion));
  if (timeout.count() > 0) context.set_deadline(std::chrono::system_clock::now() + timeout);
}

}  // namespace skiff::agent::nodeclient
