#pragma once
// Internal to pkg/api: a bounds-checked protobuf wire reader and the shared message decoders
// (ObjectMeta) used by the per-kind decoders in protobuf*.cpp. Every malformed input throws
// ApiError 400.
#include <cstdint>
#include <string>
#include <string_view>

#include "pkg/api/json.h"

namespace skiff::api::protobuf {

[[noreturn]] void malformed(const std::string& detail);

enum WireType : uint32_t { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5 };

struct Field {
  uint32_t number = 0;
  uint32_t wire_type = 0;
  uint64_t varint = 0;     // kVarint
  std::string_view bytes;  // kLengthDelimited
};

// Reads one message's fields in order.
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  bool next(Field& field);

 private:
  uint64_t varint();
  void skip(size_t n);

  std::string_view data_;
  size_t pos_ = 0;
};

void expect_wire(const Field& f, uint32_t wire_type, const char* what);
std::string as_string(const Field& f, const char* what);
// Sets object[key] unless the string is empty (Go writes empty strings explicitly).
void set_string(Json& object, const char* key, const Field& f);
void push_string(Json& object, const char* key, const Field& f);
// A map<string, T> entry {1: key, 2: value}; bytes values become base64.
void add_map_entry(Json& object, const char* key, const Field& f, bool base64_values);
Json decode_object_meta(std::string_view bytes);
// Field 1 of every top-level kind is its ObjectMeta: decodes it into object["metadata"] and
// returns true, or returns false for any other field.
bool take_metadata(const Field& f, Json& object);
// A top-level kind shaped {1 metadata, 2 spec, 3 status}: status is the server's and ignored.
void decode_metadata_and_spec(std::string_view bytes, Json& object,
                              Json (*decode_spec)(std::string_view));
// A bool field written only when true (false is the API default and is left absent).
void set_true(Json& object, const char* key, const Field& f);
// Sets object[key] to a varint as a (signed) int32.
void set_int(Json& object, const char* key, const Field& f);
// intstr.IntOrString {1 type, 2 intVal, 3 strVal} as a JSON number or string.
Json decode_int_or_string(std::string_view bytes);

// Fields a decoder does not know are fine when empty (Go writes unset fields explicitly); one
// that carries a value throws 415 naming `kind` ("apps/v1/Deployment"), the message and field
// number, so that nothing is dropped silently.
bool is_empty_message(std::string_view bytes);
void reject_unknown(const Field& f, const char* kind, const char* message);

// Per-kind decoders outside protobuf.cpp.
void decode_deployment(std::string_view bytes, Json& object);
void decode_service(std::string_view bytes, Json& object);
void decode_ingress(std::string_view bytes, Json& object);

}  // namespace skiff::api::protobuf
