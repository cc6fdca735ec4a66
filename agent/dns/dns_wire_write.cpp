// Writing DNS messages, with name compression: every name suffix written once is pointed to
// afterwards (RFC 1035 4.1.4).
#include <algorithm>
#include <map>
#include <stdexcept>

#include "agent/dns/dns_message.h"

namespace skiff::agent::dns {
namespace {

constexpr size_t kMaxPointerOffset = 0x3FFF;

class Writer {
 public:
  void u8(uint8_t value) { bytes_.push_back(value); }
  void u16(uint16_t value) {
    bytes_.push_back(static_cast<uint8_t>(value >> 8));
    bytes_.push_back(static_cast<uint8_t>(value));
  }
  void u32(uint32_t value) {
    u16(static_cast<uint16_t>(value >> 16));
    u16(static_cast<uint16_t>(value));
  }
  void put16(size_t at, uint16_t value) {
    bytes_[at] = static_cast<uint8_t>(value >> 8);
    bytes_[at + 1] = static_cast<uint8_t>(value);
  }
  size_t size() const { return bytes_.size(); }

  // Throws std::length_error for a name DNS cannot carry (an empty or 64+ byte label).
  void name(const std::string& name) {
    size_t start = 0;
    size_t wire_length = 1;
    while (start < name.size()) {
      const std::string suffix = name.substr(start);
      if (auto known = suffixes_.find(suffix); known != suffixes_.end()) {
        u16(static_cast<uint16_t>(0xC000 | known->second));
        return;
      }
      if (bytes_.size() <= kMaxPointerOffset) suffixes_.emplace(suffix, bytes_.size());
      size_t dot = name.find('.', start);
      if (dot == std::string::npos) dot = name.size();
      const size_t length = dot - start;
      wire_length += length + 1;
      if (length == 0 || length > 63 || wire_length > 255)
        throw std::length_error("\"" + name + "\" is not a valid DNS name");
      u8(static_cast<uint8_t>(length));
      bytes_.insert(bytes_.end(), name.begin() + static_cast<std::ptrdiff_t>(start),
                    name.begin() + static_cast<std::ptrdiff_t>(dot));
      start = dot + 1;
    }
    u8(0);
  }

  void question(const Question& question) {
    name(question.name);
    u16(question.type);
    u16(question.klass);
  }

  void record(const Record& record) {
    name(record.name);
    u16(record.type);
    u16(kClassIn);
    u32(record.ttl);
    const size_t length_at = bytes_.size();
    u16(0);
    std::visit([this](const auto& data) { this->data(data); }, record.data);
    put16(length_at, static_cast<uint16_t>(bytes_.size() - length_at - 2));
  }

  void opt(uint16_t udp_size) {
    u8(0);  // the root
    u16(type::OPT);
    u16(udp_size);
    u32(0);  // extended rcode 0, version 0, no flags
    u16(0);  // no options
  }

  std::vector<uint8_t> take() { return std::move(bytes_); }

 private:
  void data(const Ipv4Data& a) { u32(a.address); }
  void data(const NameData& target) { name(target.target); }
  void data(const SrvData& srv) {
    u16(srv.priority);
    u16(srv.weight);
    u16(srv.port);
    name(srv.target);
  }
  void data(const SoaData& soa) {
    name(soa.primary);
    name(soa.mailbox);
    for (uint32_t value : {soa.serial, soa.refresh, soa.retry, soa.expire, soa.minimum}) u32(value);
  }

  std::vector<uint8_t> bytes_;
  std::map<std::string, size_t> suffixes_;
};

std::vector<uint8_t> encode(const Response& response, bool with_records) {
  Writer writer;
  uint16_t flags = 0x8000 | 0x0080;  // a response; recursion available (through forwarding)
  if (response.authoritative) flags |= 0x0400;
  if (!with_records) flags |= 0x0200;
  if (response.recursion_desired) flags |= 0x0100;
  flags |= static_cast<uint16_t>(response.rcode);
  writer.u16(response.id);
  writer.u16(flags);
  writer.u16(response.question ? 1 : 0);
  auto count = [&](const std::vector<Record>& records) {
    return static_cast<uint16_t>(with_records ? records.size() : 0);
  };
  writer.u16(count(response.answers));
  writer.u16(count(response.authority));
  writer.u16(static_cast<uint16_t>(count(response.additional) + (response.edns_udp_size ? 1 : 0)));
  if (response.question) writer.question(*response.question);
  if (with_records) {
    for (const auto* section : {&response.answers, &response.authority, &response.additional})
      for (const auto& record : *section) writer.record(record);
  }
  if (response.edns_udp_size) writer.opt(*response.edns_udp_size);
  return writer.take();
}

}  // namespace

bool Record::operator==(const Record& other) const {
  auto lower = [](std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
  };
  return lower(name) == lower(other.name) && type == other.type && ttl == other.ttl &&
         std::visit(
             [&](const auto& mine) {
               using T = std::decay_t<decltype(mine)>;
               const T* theirs = std::get_if<T>(&other.data);
               if (!theirs) return false;
               if constexpr (std::is_same_v<T, Ipv4Data>) return mine.address == theirs->address;
               if constexpr (std::is_same_v<T, NameData>) return mine.target == theirs->target;
               if constexpr (std::is_same_v<T, SrvData>)
                 return mine.priority == theirs->priority && mine.weight == theirs->weight &&
                        mine.port == theirs->port && mine.target == theirs->target;
               if constexpr (std::is_same_v<T, SoaData>)
                 return mine.primary == theirs->primary && mine.mailbox == theirs->mailbox &&
                        mine.serial == theirs->serial && mine.minimum == theirs->minimum;
             },
             data);
}

size_t Query::udp_limit() const {
  if (!edns_udp_size) return kClassicUdpSize;
  return std::clamp<size_t>(*edns_udp_size, kClassicUdpSize, kMaxUdpSize);
}

std::vector<uint8_t> encode_response(const Response& response, size_t limit) {
  std::vector<uint8_t> full = encode(response, true);
  if (full.size() <= limit) return full;
  return encode(response, false);
}

Response error_response(const ParsedQuery& parsed, Rcode rcode) {
  Response response;
  response.id = parsed.query.id;
  response.recursion_desired = parsed.query.recursion_desired;
  response.rcode = rcode;
  if (parsed.has_question) response.question = parsed.query.question;
  if (parsed.query.edns_udp_size) response.edns_udp_size = kMaxUdpSize;
  return response;
}

std::vector<uint8_t> encode_query(uint16_t id, const Question& question,
                                  std::optional<uint16_t> edns_udp_size) {
  Writer writer;
  writer.u16(id);
  writer.u16(0x0100);  // recursion desired
  writer.u16(1);
  writer.u16(0);
  writer.u16(0);
  writer.u16(edns_udp_size ? 1 : 0);
  writer.question(question);
  if (edns_udp_size) writer.opt(*edns_udp_size);
  return writer.take();
}

}  // namespace skiff::agent::dns
