#include "agent/dns/dns_responder.h"

#include <stdexcept>

#include "agent/dns/dns_names.h"

namespace skiff::agent::dns {

size_t response_limit(const Query& query, Transport transport) {
  return transport == Transport::Tcp ? 65535 : query.udp_limit();
}

Reply respond(std::span<const uint8_t> packet, const ClusterRecords& records, Transport transport) {
  Reply reply;
  const ParsedQuery parsed = parse_query(packet);
  if (parsed.outcome == ParsedQuery::Outcome::Drop) return reply;
  const size_t limit = response_limit(parsed.query, transport);
  reply.action = Reply::Action::Send;
  if (parsed.outcome == ParsedQuery::Outcome::Error) {
    reply.bytes = encode_response(error_response(parsed, parsed.error), limit);
    return reply;
  }
  try {
    const ClusterAnswer answer = records.answer(parsed.query.question);
    if (answer.kind == ClusterAnswer::Kind::Forward) {
      reply.action = Reply::Action::Forward;
      reply.query = parsed.query;
      return reply;
    }
    Response response = error_response(parsed, Rcode::NoError);
    response.authoritative = true;
    if (answer.kind == ClusterAnswer::Kind::NxDomain) response.rcode = Rcode::NxDomain;
    response.answers = answer.answers;
    response.authority = answer.authority;
    response.additional = answer.additional;
    reply.bytes = encode_response(response, limit);
    if (parsed.query.question.type == type::A && response.answers.size() == 1 &&
        response.answers[0].type == type::CNAME) {
      const auto& target = std::get<NameData>(response.answers[0].data).target;
      if (!in_zone(lower(target), records.domain())) {
        reply.chase = target;
        reply.query = parsed.query;
        reply.response = std::move(response);
      }
    }
  } catch (const std::exception&) {
    reply.bytes = encode_response(error_response(parsed, Rcode::ServFail), limit);
  }
  return reply;
}

std::vector<uint8_t> add_chased_records(Response cname_answer, std::span<const uint8_t> upstream,
                                        size_t limit) {
  const auto decoded = decode_response(upstream);
  if (decoded && decoded->rcode == Rcode::NoError && !decoded->truncated) {
    for (const auto& record : decoded->answers)
      if (record.type == type::A || record.type == type::CNAME)
        cname_answer.answers.push_back(record);
  }
  return encode_response(cname_answer, limit);
}

std::vector<uint8_t> server_failure(const Query& query, Transport transport) {
  ParsedQuery parsed;
  parsed.outcome = ParsedQuery::Outcome::Error;
  parsed.query = query;
  parsed.has_question = true;
  return encode_response(error_response(parsed, Rcode::ServFail), response_limit(query, transport));
}

}  // namespace skiff::agent::dns
