// Reading DNS messages: every access is bounds-checked and a malformed packet becomes a
// WireError, which parse_query turns into FORMERR (or a drop) and decode_response into nullopt.
#include <stdexcept>

#include "agent/dns/dns_message.h"

namespace skiff::agent::dns {
namespace {

struct WireError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

constexpr size_t kHeaderSize = 12;
constexpr size_t kMaxNameLength = 255;
constexpr int kMaxPointerHops = 32;

class Reader {
 public:
  explicit Reader(std::span<const uint8_t> bytes) : bytes_(bytes) {}

  uint8_t u8() {
    need(1);
    return bytes_[at_++];
  }
  uint16_t u16() {
    need(2);
    uint16_t value = static_cast<uint16_t>(bytes_[at_] << 8 | bytes_[at_ + 1]);
    at_ += 2;
    return value;
  }
  uint32_t u32() {
    uint32_t high = u16();
    return high << 16 | u16();
  }
  void skip(size_t count) {
    need(count);
    at_ += count;
  }
  size_t offset() const { return at_; }

  // A name at the current offset, following compression pointers; each pointer must point
  // before the label that holds it, so no chain of them can loop.
  std::string name() {
    std::string out;
    size_t wire_length = 1;
    size_t cursor = at_;
    std::optional<size_t> resume;  // where reading continues after the first pointer
    int hops = 0;
    for (;;) {
      if (cursor >= bytes_.size()) throw WireError("name runs past the packet");
      const uint8_t length = bytes_[cursor];
      if ((length & 0xC0) == 0xC0) {
        if (cursor + 1 >= bytes_.size()) throw WireError("name pointer runs past the packet");
        const size_t target = (length & 0x3F) << 8 | bytes_[cursor + 1];
        if (target >= cursor || ++hops > kMaxPointerHops) throw WireError("bad name pointer");
        if (!resume) resume = cursor + 2;
        cursor = target;
        continue;
      }
      if (length & 0xC0) throw WireError("unknown label type");
      if (length == 0) {
        at_ = resume ? *resume : cursor + 1;
        return out;
      }
      if (cursor + 1 + length > bytes_.size()) throw WireError("label runs past the packet");
      wire_length += length + 1;
      if (wire_length > kMaxNameLength) throw WireError("name longer than 255 bytes");
      if (!out.empty()) out += '.';
      for (size_t i = 0; i < length; ++i) {
        const char c = static_cast<char>(bytes_[cursor + 1 + i]);
        if (c == '.') throw WireError("a dot inside a label");
        out += c;
      }
      cursor += 1 + length;
    }
  }

 private:
  void need(size_t count) const {
    if (bytes_.size() - at_ < count) throw WireError("packet too short");
  }
  std::span<const uint8_t> bytes_;
  size_t at_ = 0;
};

struct Header {
  uint16_t id = 0;
  uint16_t flags = 0;
  uint16_t questions = 0, answers = 0, authority = 0, additional = 0;
  bool is_response() const { return flags & 0x8000; }
  int opcode() const { return (flags >> 11) & 0xF; }
};

Header read_header(Reader& reader) {
  Header header;
  header.id = reader.u16();
  header.flags = reader.u16();
  header.questions = reader.u16();
  header.answers = reader.u16();
  header.authority = reader.u16();
  header.additional = reader.u16();
  return header;
}

Question read_question(Reader& reader) {
  Question question;
  question.name = reader.name();
  question.type = reader.u16();
  question.klass = reader.u16();
  return question;
}

// One resource record; nullopt for types this code does not model (and for OPT, reported
// through `opt_size`).
std::optional<Record> read_record(Reader& reader, std::optional<uint16_t>* opt_size) {
  Record record;
  record.name = reader.name();
  record.type = reader.u16();
  const uint16_t klass = reader.u16();
  record.ttl = reader.u32();
  const uint16_t length = reader.u16();
  const size_t end = reader.offset() + length;
  std::optional<Record> result;
  switch (record.type) {
    case type::OPT:
      if (opt_size) *opt_size = klass;
      reader.skip(length);
      break;
    case type::A:
      if (length != 4) throw WireError("A record of the wrong length");
      record.data = Ipv4Data{reader.u32()};
      result = record;
      break;
    case type::CNAME:
    case type::PTR:
      record.data = NameData{reader.name()};
      result = record;
      break;
    case type::SRV: {
      SrvData srv;
      srv.priority = reader.u16();
      srv.weight = reader.u16();
      srv.port = reader.u16();
      srv.target = reader.name();
      record.data = srv;
      result = record;
      break;
    }
    case type::SOA: {
      SoaData soa;
      soa.primary = reader.name();
      soa.mailbox = reader.name();
      soa.serial = reader.u32();
      soa.refresh = reader.u32();
      soa.retry = reader.u32();
      soa.expire = reader.u32();
      soa.minimum = reader.u32();
      record.data = soa;
      result = record;
      break;
    }
    default:
      reader.skip(length);
  }
  if (reader.offset() != end) throw WireError("record data of the wrong length");
  return result;
}

}  // namespace

ParsedQuery parse_query(std::span<const uint8_t> packet) {
  ParsedQuery parsed;
  if (packet.size() < kHeaderSize) return parsed;  // Drop: not even an id to answer
  Reader reader(packet);
  const Header header = read_header(reader);
  if (header.is_response()) return parsed;
  parsed.query.id = header.id;
  parsed.query.recursion_desired = header.flags & 0x0100;
  parsed.outcome = ParsedQuery::Outcome::Error;
  if (header.opcode() != 0) {
    parsed.error = Rcode::NotImp;
    return parsed;
  }
  try {
    if (header.questions != 1) return parsed;  // FORMERR: exactly one question is answerable
    parsed.query.question = read_question(reader);
    parsed.has_question = true;
    for (int i = 0; i < header.answers + header.authority; ++i) read_record(reader, nullptr);
    std::optional<uint16_t> opt_size;
    for (int i = 0; i < header.additional; ++i) read_record(reader, &opt_size);
    parsed.query.edns_udp_size = opt_size;
  } catch (const WireError&) {
    return parsed;
  }
  parsed.outcome = ParsedQuery::Outcome::Query;
  return parsed;
}

std::optional<DecodedResponse> decode_response(std::span<const uint8_t> packet) {
  try {
    Reader reader(packet);
    const Header header = read_header(reader);
    if (!header.is_response()) return std::nullopt;
    DecodedResponse decoded;
    decoded.id = header.id;
    decoded.rcode = static_cast<Rcode>(header.flags & 0xF);
    decoded.truncated = header.flags & 0x0200;
    decoded.authoritative = header.flags & 0x0400;
    for (int i = 0; i < header.questions; ++i) decoded.question = read_question(reader);
    auto read_section = [&](int count, std::vector<Record>& into) {
      for (int i = 0; i < count; ++i) {
        std::optional<uint16_t> opt;
        if (auto record = read_record(reader, &opt)) into.push_back(std::move(*record));
        if (opt) decoded.has_opt = true;
      }
    };
    read_section(header.answers, decoded.answers);
    read_section(header.authority, decoded.authority);
    read_section(header.additional, decoded.additional);
    return decoded;
  } catch (const WireError&) {
    return std::nullopt;
  }
}

}  // namespace skiff::agent::dns
