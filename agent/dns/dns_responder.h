#pragma once
// From a query's bytes to what the server does with it: send an answer from the cluster
// records, forward the query upstream, or drop it. Pure: the sockets live in cluster_dns.cpp.
//
// Contract: never throws; a query that cannot be answered (a record DNS cannot carry) gets
// SERVFAIL. UDP answers respect the query's size (512 bytes, or its EDNS0 size) and set TC when
// they do not fit; TCP answers may take 64 KiB.
#include <cstdint>
#include <span>
#include <vector>

#include "agent/dns/cluster_records.h"
#include "agent/dns/dns_message.h"

namespace skiff::agent::dns {

enum class Transport { Udp, Tcp };

struct Reply {
  enum class Action { Send, Forward, Drop };
  Action action = Action::Drop;
  std::vector<uint8_t> bytes;  // Send
  Query query;                 // Forward: the query as parsed (id, size limit)
};

Reply respond(std::span<const uint8_t> packet, const ClusterRecords& records, Transport transport);

// The SERVFAIL a forwarded query gets when no upstream answered.
std::vector<uint8_t> server_failure(const Query& query, Transport transport);

// The most a response to `query` may take over `transport`.
size_t response_limit(const Query& query, Transport transport);

}  // namespace skiff::agent::dns
