#pragma once
// DNS messages (RFC 1035) as the cluster DNS reads and writes them: a query with one question
// (and maybe an EDNS0 OPT record, RFC 6891) in, a response with A, CNAME, PTR, SRV and SOA records
// out. Pure functions on bytes; no sockets.
//
// Contract: parse_query never throws and never reads out of bounds, whatever the bytes. A packet
// too short to carry a header, or one that is itself a response, is dropped (no answer: a
// reflected error would only feed a loop); anything else that cannot be read gets FORMERR, and an
// opcode other than QUERY gets NOTIMP. Names are compared case-insensitively by the caller; the
// question keeps the case it was asked in, as the answer must echo it.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

namespace skiff::agent::dns {

namespace type {
inline constexpr uint16_t A = 1;
inline constexpr uint16_t NS = 2;
inline constexpr uint16_t CNAME = 5;
inline constexpr uint16_t SOA = 6;
inline constexpr uint16_t PTR = 12;
inline constexpr uint16_t TXT = 16;
inline constexpr uint16_t AAAA = 28;
inline constexpr uint16_t SRV = 33;
inline constexpr uint16_t OPT = 41;
inline constexpr uint16_t ANY = 255;
}  // namespace type

inline constexpr uint16_t kClassIn = 1;

enum class Rcode : uint8_t { NoError = 0, FormErr = 1, ServFail = 2, NxDomain = 3, NotImp = 4 };

// Without EDNS0 a UDP answer may hold 512 bytes; with it, what the client advertises, up to the
// most this server sends in one datagram.
inline constexpr size_t kClassicUdpSize = 512;
inline constexpr size_t kMaxUdpSize = 4096;

struct Question {
  std::string name;  // dotted, no trailing dot ("" is the root), case as asked
  uint16_t type = type::A;
  uint16_t klass = kClassIn;
};

struct Ipv4Data {
  uint32_t address = 0;  // host order
};
struct NameData {  // CNAME, PTR
  std::string target;
};
struct SrvData {
  uint16_t priority = 0;
  uint16_t weight = 0;
  uint16_t port = 0;
  std::string target;
};
struct SoaData {
  std::string primary;
  std::string mailbox;
  uint32_t serial = 0;
  uint32_t refresh = 0;
  uint32_t retry = 0;
  uint32_t expire = 0;
  uint32_t minimum = 0;
};
using RecordData = std::variant<Ipv4Data, NameData, SrvData, SoaData>;

struct Record {
  std::string name;
  uint16_t type = type::A;
  uint32_t ttl = 0;
  RecordData data;
  bool operator==(const Record&) const;
};

struct Query {
  uint16_t id = 0;
  bool recursion_desired = false;
  Question question{};
  std::optional<uint16_t> edns_udp_size;  // set when the query carried an OPT record

  // The most bytes a UDP answer to this query may take.
  size_t udp_limit() const;
};

// What parse_query found: a query to answer, an error to send back, or nothing to send.
struct ParsedQuery {
  enum class Outcome { Query, Error, Drop };
  Outcome outcome = Outcome::Drop;
  Query query;                   // Query; for Error: the id, flags and (if read) question
  bool has_question = false;     // Error: whether query.question could be read
  Rcode error = Rcode::FormErr;  // Error
};

ParsedQuery parse_query(std::span<const uint8_t> packet);

struct Response {
  uint16_t id = 0;
  bool recursion_desired = false;
  bool authoritative = false;
  Rcode rcode = Rcode::NoError;
  std::optional<Question> question;
  std::vector<Record> answers;
  std::vector<Record> authority;
  std::vector<Record> additional;
  std::optional<uint16_t> edns_udp_size;  // echo a minimal OPT record advertising this size
};

// The response's bytes. When they would pass `limit`, the records are left out and the TC bit
// set, so the client asks again over TCP (header, question and OPT always fit a sane limit).
// Names are compressed (RFC 1035 4.1.4).
std::vector<uint8_t> encode_response(const Response& response, size_t limit = 65535);

// A response answering `query` with only a header and the question (FORMERR, SERVFAIL, ...).
Response error_response(const ParsedQuery& parsed, Rcode rcode);

// The parts of a response a client reads (tests, the forwarder's sanity check). nullopt when
// the bytes are not a well-formed response.
struct DecodedResponse {
  uint16_t id = 0;
  Rcode rcode = Rcode::NoError;
  bool truncated = false;
  bool authoritative = false;
  std::optional<Question> question;
  std::vector<Record> answers, authority, additional;  // records of unknown types are skipped
  bool has_opt = false;
};
std::optional<DecodedResponse> decode_response(std::span<const uint8_t> packet);

// The bytes of a query (tests, benchmarks and the integration test's client).
std::vector<uint8_t> encode_query(uint16_t id, const Question& question,
                                  std::optional<uint16_t> edns_udp_size = std::nullopt);

}  // namespace skiff::agent::dns
