// The protobuf wire reader and ObjectMeta decoding shared by the per-kind decoders.
#include "pkg/api/protobuf_wire.h"

#include <chrono>

#include "pkg/api/base64.h"
#include "pkg/api/errors.h"
#include "pkg/api/time.h"

namespace skiff::api::protobuf {

[[noreturn]] void malformed(const std::string& detail) {
  throw bad_request("the protobuf request body is malformed: " + detail);
}

bool Reader::next(Field& field) {
  if (pos_ >= data_.size()) return false;
  uint64_t tag = varint();
  field.number = static_cast<uint32_t>(tag >> 3);
  field.wire_type = static_cast<uint32_t>(tag & 7);
  if (field.number == 0) malformed("field number 0");
  switch (field.wire_type) {
    case kVarint:
      field.varint = varint();
      break;
    case kFixed64:
      skip(8);
      break;
    case kFixed32:
      skip(4);
      break;
    case kLengthDelimited: {
      uint64_t length = varint();
      if (length > data_.size() - pos_) {
        malformed("field " + std::to_string(field.number) + " is longer than the message");
      }
      field.bytes = data_.substr(pos_, length);
      pos_ += length;
      break;
    }
    default:
      malformed("unsupported wire type " + std::to_string(field.wire_type) + " in field " +
                std::to_string(field.number));
  }
  return true;
}

uint64_t Reader::varint() {
  uint64_t value = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos_ >= data_.size()) malformed("truncated varint");
    auto byte = static_cast<uint8_t>(data_[pos_++]);
    value |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return value;
  }
  malformed("varint longer than 10 bytes");
}

void Reader::skip(size_t n) {
  if (n > data_.size() - pos_) malformed("truncated fixed-width field");
  pos_ += n;
}

void expect_wire(const Field& f, uint32_t wire_type, const char* what) {
  if (f.wire_type != wire_type) {
    malformed(std::string(what) + " (field " + std::to_string(f.number) +
              ") has the wrong wire type");
  }
}

std::string as_string(const Field& f, const char* what) {
  expect_wire(f, kLengthDelimited, what);
  return std::string(f.bytes);
}

void set_string(Json& object, const char* key, const Field& f) {
  std::string s = as_string(f, key);
  if (!s.empty()) object[key] = std::move(s);
}

void push_string(Json& object, const char* key, const Field& f) {
  object[key].push_back(as_string(f, key));
}

// A map<string, T> entry {1: key, 2: value}. Secret data and binaryData values are bytes and
// become base64 in JSON.
void add_map_entry(Json& object, const char* key, const Field& f, bool base64_values) {
  expect_wire(f, kLengthDelimited, key);
  Reader reader(f.bytes);
  Field entry;
  std::string k, v;
  while (reader.next(entry)) {
    if (entry.number == 1) k = as_string(entry, key);
    if (entry.number == 2) v = as_string(entry, key);
  }
  object[key][k] = base64_values ? base64_encode(v) : v;
}

namespace {

Json decode_time(std::string_view bytes) {
  Reader reader(bytes);
  Field f;
  int64_t seconds = 0;
  while (reader.next(f)) {
    if (f.number == 1 && f.wire_type == kVarint) seconds = static_cast<int64_t>(f.varint);
  }
  if (seconds == 0) return nullptr;
  return format_rfc3339(Clock::time_point(std::chrono::seconds(seconds)));
}

Json decode_owner_reference(std::string_view bytes) {
  Json ref = Json::object();
  Reader reader(bytes);
  Field f;
  while (reader.next(f)) {
    switch (f.number) {
      case 1:
        set_string(ref, "kind", f);
        break;
      case 3:
        set_string(ref, "name", f);
        break;
      case 4:
        set_string(ref, "uid", f);
        break;
      case 5:
        set_string(ref, "apiVersion", f);
        break;
      case 6:
        expect_wire(f, kVarint, "controller");
        ref["controller"] = f.varint != 0;
        break;
      case 7:
        expect_wire(f, kVarint, "blockOwnerDeletion");
        ref["blockOwnerDeletion"] = f.varint != 0;
        break;
      default:
        break;
    }
  }
  return ref;
}

}  // namespace

Json decode_object_meta(std::string_view bytes) {
  Json meta = Json::object();
  Reader reader(bytes);
  Field f;
  while (reader.next(f)) {
    switch (f.number) {
      case 1:
        set_string(meta, "name", f);
        break;
      case 2:
        set_string(meta, "generateName", f);
        break;
      case 3:
        set_string(meta, "namespace", f);
        break;
      case 5:
        set_string(meta, "uid", f);
        break;
      case 6:
        set_string(meta, "resourceVersion", f);
        break;
      case 7:
        expect_wire(f, kVarint, "generation");
        if (f.varint != 0) meta["generation"] = static_cast<int64_t>(f.varint);
        break;
      case 8: {
        expect_wire(f, kLengthDelimited, "creationTimestamp");
        Json t = decode_time(f.bytes);
        if (!t.is_null()) meta["creationTimestamp"] = t;
        break;
      }
      case 11:
        add_map_entry(meta, "labels", f, false);
        break;
      case 12:
        add_map_entry(meta, "annotations", f, false);
        break;
      case 13:
        expect_wire(f, kLengthDelimited, "ownerReferences");
        meta["ownerReferences"].push_back(decode_owner_reference(f.bytes));
        break;
      case 14:
        push_string(meta, "finalizers", f);
        break;
      default:
        break;  // selfLink, deletion fields, managedFields: not sent on create
    }
  }
  return meta;
}

[[noreturn]] static void unsupported_field(const char* kind, const char* message, uint32_t number) {
  throw unsupported_media_type("the protobuf body for " + std::string(kind) + " sets field " +
                               std::to_string(number) + " of " + message +
                               ", which skiff does not decode; send JSON (application/json) "
                               "instead");
}

// True when a length-delimited value is an empty message, or a message of only empty fields
// (Go writes unset non-pointer strings, ints and structs explicitly).
bool is_empty_message(std::string_view bytes) {
  try {
    Reader reader(bytes);
    Field f;
    while (reader.next(f)) {
      if (f.wire_type == kVarint && f.varint != 0) return false;
      if (f.wire_type == kLengthDelimited && !f.bytes.empty() && !is_empty_message(f.bytes)) {
        return false;
      }
      if (f.wire_type == kFixed32 || f.wire_type == kFixed64) return false;
    }
    return true;
  } catch (const ApiError&) {
    return false;  // not a message at all: a non-empty string or bytes
  }
}

void reject_unknown(const Field& f, const char* kind, const char* message) {
  if (f.wire_type == kVarint && f.varint == 0) return;
  if (f.wire_type == kLengthDelimited && is_empty_message(f.bytes)) return;
  unsupported_field(kind, message, f.number);
}

void set_int(Json& object, const char* key, const Field& f) {
  expect_wire(f, kVarint, key);
  object[key] = static_cast<int64_t>(static_cast<int32_t>(f.varint));
}

// intstr.IntOrString {1 type, 2 intVal, 3 strVal}.
Json decode_int_or_string(std::string_view bytes) {
  Reader reader(bytes);
  Field f;
  int64_t type = 0, int_value = 0;
  std::string str_value;
  while (reader.next(f)) {
    if (f.number == 1 && f.wire_type == kVarint) type = static_cast<int64_t>(f.varint);
    if (f.number == 2 && f.wire_type == kVarint) int_value = static_cast<int32_t>(f.varint);
    if (f.number == 3) str_value = as_string(f, "strVal");
  }
  return type == 1 ? Json(str_value) : Json(int_value);
}

bool take_metadata(const Field& f, Json& object) {
  if (f.number != 1) return false;
  expect_wire(f, kLengthDelimited, "metadata");
  object["metadata"] = decode_object_meta(f.bytes);
  return true;
}

void decode_metadata_and_spec(std::string_view bytes, Json& object,
                              Json (*decode_spec)(std::string_view)) {
  Reader reader(bytes);
  Field f;
  while (reader.next(f)) {
    if (take_metadata(f, object)) continue;
    if (f.number == 2) {
      expect_wire(f, kLengthDelimited, "spec");
      object["spec"] = decode_spec(f.bytes);
    }
  }
}

void set_true(Json& object, const char* key, const Field& f) {
  expect_wire(f, kVarint, key);
  if (f.varint != 0) object[key] = true;
}

}  // namespace skiff::api::protobuf
