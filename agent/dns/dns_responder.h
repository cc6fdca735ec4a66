#pragma once
// From a query's bytes to what the server does with it: send an answer from the cluster
// records, forward the query upstream, or drop it. Pure: the sockets live in cluster_dns.cpp.
//
// Contract: never throws; a query that cannot be answered (a record DNS cannot carry) gets
// SERVFAIL. UDP answers respect the query's size (512 bytes, or its EDNS0 size) and set TC when
// they do not fit; TCP answers may take 64 KiB.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "agent/dns/cluster_records.h"
#include "agent/dns/dns_message.h"

namespace skiff::agent::dns {

enum class Transport { Udp, Tcp };

struct Reply {
  enum class Action { Send, Forward, Drop };
  Action action = Action::Drop;
  std::vector<uint8_t> bytes;  // Send
  Query query;                 // Forward, Send with a chase: the query as parsed
  // Send: an A question answered by an ExternalName's CNAME to a name outside the cluster. The
  // server may resolve `chase` upstream and send `response` with those records added (as
  // CoreDNS does, since stub resolvers such as glibc's and musl's do not follow a lone CNAME);
  // `bytes` is the answer without them.
  std::string chase;
  Response response;
};

// `cname_answer` (a Reply's response) with the A and CNAME records of `upstream` (the upstream's
// answer to the chased name) appended when that answer is usable; the bytes to send.
std::vector<uint8_t> add_chased_records(Response cname_answer, std::span<const uint8_t> upstream,
                                        size_t limit);

Reply respond(std::span<const uint8_t> packet, const ClusterRecords& records, Transport transport);

// The SERVFAIL a forwarded query gets when no upstream answered.
std::vector<uint8_t> server_failure(const Query& query, Transport transport);

// The most a response to `query` may take over `transport`.
size_t response_limit(const Query& query, Transport transport);

}  // namespace skiff::agent::dns
