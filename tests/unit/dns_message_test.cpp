// DNS wire format: queries parsed (with compression and EDNS0), responses written (compressed,
// truncated over UDP), and random bytes never crash the parser.
#include <gtest/gtest.h>

#include <random>

#include "agent/dns/cluster_records.h"
#include "agent/dns/dns_message.h"
#include "agent/dns/dns_responder.h"

namespace skiff::agent::dns {
namespace {

std::vector<uint8_t> header(uint16_t id, uint16_t flags, uint16_t questions,
                            uint16_t additional = 0) {
  return {static_cast<uint8_t>(id >> 8),
          static_cast<uint8_t>(id),
          static_cast<uint8_t>(flags >> 8),
          static_cast<uint8_t>(flags),
          0,
          static_cast<uint8_t>(questions),
          0,
          0,
          0,
          0,
          0,
          static_cast<uint8_t>(additional)};
}

TEST(DnsMessage, ParsesTheQueryItBuilds) {
  const auto bytes = encode_query(0xBEEF, {"Web.Default.svc.cluster.local", type::SRV});
  const ParsedQuery parsed = parse_query(bytes);
  ASSERT_EQ(parsed.outcome, ParsedQuery::Outcome::Query);
  EXPECT_EQ(parsed.query.id, 0xBEEF);
  EXPECT_TRUE(parsed.query.recursion_desired);
  EXPECT_EQ(parsed.query.question.name, "Web.Default.svc.cluster.local");  // case kept
  EXPECT_EQ(parsed.query.question.type, type::SRV);
  EXPECT_FALSE(parsed.query.edns_udp_size);
  EXPECT_EQ(parsed.query.udp_limit(), 512u);
}

TEST(DnsMessage, HonoursTheEdnsUdpSizeAndEchoesAnOptRecord) {
  const auto bytes = encode_query(7, {"example.com", type::A}, 1232);
  const ParsedQuery parsed = parse_query(bytes);
  ASSERT_EQ(parsed.outcome, ParsedQuery::Outcome::Query);
  EXPECT_EQ(parsed.query.edns_udp_size, 1232);
  EXPECT_EQ(parsed.query.udp_limit(), 1232u);
  EXPECT_EQ(Query{.edns_udp_size = 100}.udp_limit(), 512u);     // never below the classic size
  EXPECT_EQ(Query{.edns_udp_size = 65000}.udp_limit(), 4096u);  // nor above what we send
  const auto decoded = decode_response(encode_response(error_response(parsed, Rcode::NoError)));
  ASSERT_TRUE(decoded);
  EXPECT_TRUE(decoded->has_opt);
}

TEST(DnsMessage, FollowsNamePointersInQueries) {
  // The question's name is "www" + a pointer to "example.com" written in an earlier record is not
  // possible in a question-first packet, so the pointer goes back into the question itself:
  // question 1 = example.com, then an additional record named www.<pointer to 12>.
  auto bytes = header(1, 0x0100, 1, 1);
  const uint8_t name[] = {7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0};
  bytes.insert(bytes.end(), std::begin(name), std::end(name));
  bytes.insert(bytes.end(), {0, 1, 0, 1});
  bytes.insert(bytes.end(), {3, 'w', 'w', 'w', 0xC0, 12});  // www.example.com, compressed
  bytes.insert(bytes.end(), {0, 1, 0, 1, 0, 0, 0, 5, 0, 4, 10, 0, 0, 1});
  const ParsedQuery parsed = parse_query(bytes);
  ASSERT_EQ(parsed.outcome, ParsedQuery::Outcome::Query);
  EXPECT_EQ(parsed.query.question.name, "example.com");
}

TEST(DnsMessage, RefusesPointerLoopsAndBadCounts) {
  auto loop = header(2, 0x0100, 1);
  loop.insert(loop.end(), {0xC0, 12, 0, 1, 0, 1});  // a name pointing at itself
  EXPECT_EQ(parse_query(loop).outcome, ParsedQuery::Outcome::Error);
  EXPECT_EQ(parse_query(loop).error, Rcode::FormErr);

  auto two_questions = header(3, 0x0100, 2);
  EXPECT_EQ(parse_query(two_questions).outcome, ParsedQuery::Outcome::Error);

  auto truncated = encode_query(4, {"example.com", type::A});
  truncated.resize(truncated.size() - 3);
  EXPECT_EQ(parse_query(truncated).outcome, ParsedQuery::Outcome::Error);
}

TEST(DnsMessage, DropsWhatCannotBeAnsweredAndRefusesOtherOpcodes) {
  EXPECT_EQ(parse_query(std::vector<uint8_t>{1, 2, 3}).outcome, ParsedQuery::Outcome::Drop);
  auto response = encode_query(5, {"example.com", type::A});
  response[2] |= 0x80;  // QR: a response, never answered (no loops between servers)
  EXPECT_EQ(parse_query(response).outcome, ParsedQuery::Outcome::Drop);
  auto notify = encode_query(6, {"example.com", type::SOA});
  notify[2] |= 4 << 3;  // opcode NOTIFY
  const ParsedQuery parsed = parse_query(notify);
  ASSERT_EQ(parsed.outcome, ParsedQuery::Outcome::Error);
  EXPECT_EQ(parsed.error, Rcode::NotImp);
}

TEST(DnsMessage, WritesEveryRecordTypeAndReadsThemBack) {
  Response response;
  response.id = 9;
  response.authoritative = true;
  response.rcode = Rcode::NxDomain;
  response.question = Question{"web.default.svc.cluster.local", type::ANY};
  response.answers = {
      {"web.default.svc.cluster.local", type::A, 5, Ipv4Data{0x0A2B0001}},
      {"ext.default.svc.cluster.local", type::CNAME, 5, NameData{"example.com"}},
      {"_http._tcp.web.default.svc.cluster.local", type::SRV, 5,
       SrvData{0, 100, 80, "web.default.svc.cluster.local"}},
      {"1.0.43.10.in-addr.arpa", type::PTR, 5, NameData{"web.default.svc.cluster.local"}},
  };
  response.authority = {
      {"cluster.local", type::SOA, 5,
       SoaData{"ns.dns.cluster.local", "hostmaster.cluster.local", 3, 7200, 1800, 86400, 5}}};
  const auto bytes = encode_response(response);
  const auto decoded = decode_response(bytes);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->id, 9);
  EXPECT_EQ(decoded->rcode, Rcode::NxDomain);
  EXPECT_TRUE(decoded->authoritative);
  EXPECT_FALSE(decoded->truncated);
  EXPECT_EQ(decoded->answers, response.answers);
  EXPECT_EQ(decoded->authority, response.authority);
}

TEST(DnsMessage, CompressesRepeatedNames) {
  Response response;
  response.question = Question{"headless.default.svc.cluster.local", type::A};
  for (uint32_t i = 0; i < 10; ++i)
    response.answers.push_back({"headless.default.svc.cluster.local", type::A, 5, Ipv4Data{i}});
  const auto bytes = encode_response(response);
  // header + question (36-byte name + 4) + 10 answers of pointer (2) + fixed part (10) + IPv4 (4)
  EXPECT_EQ(bytes.size(), 12u + 36 + 4 + 10 * 16);
}

TEST(DnsMessage, TruncatesUdpAnswersThatDoNotFit) {
  Response response;
  response.question = Question{"big.default.svc.cluster.local", type::A};
  response.edns_udp_size = kMaxUdpSize;
  for (uint32_t i = 0; i < 100; ++i)
    response.answers.push_back({"big.default.svc.cluster.local", type::A, 5, Ipv4Data{i}});
  const auto full = decode_response(encode_response(response, 65535));
  ASSERT_TRUE(full);
  EXPECT_EQ(full->answers.size(), 100u);
  const auto bytes = encode_response(response, 512);
  EXPECT_LE(bytes.size(), 512u);
  const auto cut = decode_response(bytes);
  ASSERT_TRUE(cut);
  EXPECT_TRUE(cut->truncated);
  EXPECT_TRUE(cut->answers.empty());
  EXPECT_TRUE(cut->has_opt);
  ASSERT_TRUE(cut->question);
  EXPECT_EQ(cut->question->name, "big.default.svc.cluster.local");
}

TEST(DnsResponder, AnExternalNamesTargetIsChasedForAQuestions) {
  const Json services = Json::array(
      {{{"metadata", {{"namespace", "default"}, {"name", "ext"}}},
        {"spec", {{"type", "ExternalName"}, {"externalName", "www.example.com"}}}},
       {{"metadata", {{"namespace", "default"}, {"name", "inner"}}},
        {"spec", {{"type", "ExternalName"}, {"externalName", "web.default.svc.cluster.local"}}}}});
  const ClusterRecords records(services, Json::array());
  const Reply a =
      respond(encode_query(1, {"ext.default.svc.cluster.local", type::A}), records, Transport::Udp);
  ASSERT_EQ(a.action, Reply::Action::Send);
  EXPECT_EQ(a.chase, "www.example.com");
  EXPECT_EQ(decode_response(a.bytes)->answers.size(), 1u);  // the CNAME alone, if not chased
  EXPECT_EQ(respond(encode_query(2, {"ext.default.svc.cluster.local", type::CNAME}), records,
                    Transport::Udp)
                .chase,
            "");
  EXPECT_EQ(respond(encode_query(3, {"inner.default.svc.cluster.local", type::A}), records,
                    Transport::Udp)
                .chase,
            "");  // a target in the cluster domain is the client's to follow

  // The upstream's records are added to the CNAME; a failed upstream leaves the CNAME alone.
  Response upstream = a.response;
  upstream.answers = {{"www.example.com", type::A, 300, Ipv4Data{0xC0000263}}};
  const auto chased =
      decode_response(add_chased_records(a.response, encode_response(upstream), 512));
  ASSERT_TRUE(chased);
  ASSERT_EQ(chased->answers.size(), 2u);
  EXPECT_EQ(chased->answers[0].type, type::CNAME);
  EXPECT_EQ(chased->answers[1], upstream.answers[0]);
  upstream.rcode = Rcode::ServFail;
  const auto failed =
      decode_response(add_chased_records(a.response, encode_response(upstream), 512));
  EXPECT_EQ(failed->answers.size(), 1u);
  EXPECT_EQ(failed->rcode, Rcode::NoError);
}

TEST(DnsMessage, RandomBytesNeverCrashTheParserOrTheResponder) {
  const ClusterRecords records(Json::array(), Json::array());
  std::mt19937 random(12345);
  const auto valid = encode_query(1, {"web.default.svc.cluster.local", type::A}, 1232);
  int answered = 0;
  for (int round = 0; round < 50000; ++round) {
    std::vector<uint8_t> bytes;
    if (round % 2 == 0) {
      bytes.resize(random() % 80);
      for (auto& byte : bytes) byte = static_cast<uint8_t>(random());
    } else {  // a valid query with a few bytes flipped, cut short or extended
      bytes = valid;
      for (int flips = 1 + random() % 4; flips > 0; --flips)
        bytes[random() % bytes.size()] = static_cast<uint8_t>(random());
      if (random() % 3 == 0) bytes.resize(random() % bytes.size());
      if (random() % 5 == 0) bytes.push_back(static_cast<uint8_t>(random()));
    }
    (void)parse_query(bytes);
    (void)decode_response(bytes);
    const Reply reply = respond(bytes, records, Transport::Udp);
    if (reply.action == Reply::Action::Send) {
      ++answered;
      EXPECT_LE(reply.bytes.size(), kMaxUdpSize);
      EXPECT_TRUE(decode_response(reply.bytes));
    }
  }
  EXPECT_GT(answered, 1000);  // the mutations reach the answering code, not only the drop path
}

}  // namespace
}  // namespace skiff::agent::dns
