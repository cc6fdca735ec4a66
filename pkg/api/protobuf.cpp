// Decoder for the Kubernetes protobuf envelope ("k8s\0" + runtime.Unknown) and the few object
// messages kubectl 1.32 sends as protobuf (Namespace, ConfigMap, Secret, ServiceAccount).
// Field numbers follow k8s.io/api/core/v1/generated.proto and
// k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto. Go writes empty strings, zero
// integers and empty messages explicitly; they are treated as unset so that the JSON looks like
// what kubectl would have sent as JSON.
#include "pkg/api/protobuf.h"

#include <chrono>
#include <cstdint>
#include <string>

#include "pkg/api/base64.h"
#include "pkg/api/errors.h"
#include "pkg/api/time.h"

namespace skiff::api {

namespace {

[[noreturn]] void malformed(const std::string& detail) {
  throw bad_request("the protobuf request body is malformed: " + detail);
}

enum WireType : uint32_t { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5 };

struct Field {
  uint32_t number = 0;
  uint32_t wire_type = 0;
  uint64_t varint = 0;     // kVarint
  std::string_view bytes;  // kLengthDelimited
};

// Reads one message's fields in order; every read is bounds-checked.
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}

  bool next(Field& field) {
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

 private:
  uint64_t varint() {
    uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= data_.size()) malformed("truncated varint");
      auto byte = static_cast<uint8_t>(data_[pos_++]);
      value |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) return value;
    }
    malformed("varint longer than 10 bytes");
  }

  void skip(size_t n) {
    if (n > data_.size() - pos_) malformed("truncated fixed-width field");
    pos_ += n;
  }

  std::string_view data_;
  size_t pos_ = 0;
};

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

void decode_namespace(std::string_view bytes, Json& object) {
  Reader reader(bytes);
  Field f;
  while (reader.next(f)) {
    if (f.number == 1) {
      expect_wire(f, kLengthDelimited, "metadata");
      object["metadata"] = decode_object_meta(f.bytes);
    } else if (f.number == 2 || f.number == 3) {
      expect_wire(f, kLengthDelimited, f.number == 2 ? "spec" : "status");
      Reader inner(f.bytes);
      Field g;
      Json part = Json::object();
      while (inner.next(g)) {
        if (f.number == 2 && g.number == 1) push_string(part, "finalizers", g);
        if (f.number == 3 && g.number == 1) set_string(part, "phase", g);
      }
      if (!part.empty()) object[f.number == 2 ? "spec" : "status"] = part;
    }
  }
}

void decode_config_map(std::string_view bytes, Json& object) {
  Reader reader(bytes);
  Field f;
  while (reader.next(f)) {
    switch (f.number) {
      case 1:
        expect_wire(f, kLengthDelimited, "metadata");
        object["metadata"] = decode_object_meta(f.bytes);
        break;
      case 2:
        add_map_entry(object, "data", f, false);
        break;
      case 3:
        add_map_entry(object, "binaryData", f, true);
        break;
      case 4:
        expect_wire(f, kVarint, "immutable");
        object["immutable"] = f.varint != 0;
        break;
      default:
        break;
    }
  }
}

void decode_secret(std::string_view bytes, Json& object) {
  Reader reader(bytes);
  Field f;
  while (reader.next(f)) {
    switch (f.number) {
      case 1:
        expect_wire(f, kLengthDelimited, "metadata");
        object["metadata"] = decode_object_meta(f.bytes);
        break;
      case 2:
        add_map_entry(object, "data", f, true);
        break;
      case 3:
        set_string(object, "type", f);
        break;
      case 4:
        add_map_entry(object, "stringData", f, false);
        break;
      case 5:
        expect_wire(f, kVarint, "immutable");
        object["immutable"] = f.varint != 0;
        break;
      default:
        break;
    }
  }
}

Json decode_object_reference(std::string_view bytes) {
  static const char* const kNames[] = {nullptr, "kind",       "namespace",       "name",
                                       "uid",   "apiVersion", "resourceVersion", "fieldPath"};
  Json ref = Json::object();
  Reader reader(bytes);
  Field f;
  while (reader.next(f)) {
    if (f.number >= 1 && f.number <= 7) set_string(ref, kNames[f.number], f);
  }
  return ref;
}

void decode_service_account(std::string_view bytes, Json& object) {
  Reader reader(bytes);
  Field f;
  while (reader.next(f)) {
    switch (f.number) {
      case 1:
        expect_wire(f, kLengthDelimited, "metadata");
        object["metadata"] = decode_object_meta(f.bytes);
        break;
      case 2:
        expect_wire(f, kLengthDelimited, "secrets");
        object["secrets"].push_back(decode_object_reference(f.bytes));
        break;
      case 3: {
        expect_wire(f, kLengthDelimited, "imagePullSecrets");
        Json ref = Json::object();
        Reader inner(f.bytes);
        Field g;
        while (inner.next(g)) {
          if (g.number == 1) set_string(ref, "name", g);
        }
        object["imagePullSecrets"].push_back(ref);
        break;
      }
      case 4:
        expect_wire(f, kVarint, "automountServiceAccountToken");
        object["automountServiceAccountToken"] = f.varint != 0;
        break;
      default:
        break;
    }
  }
}

}  // namespace

Json decode_kubernetes_protobuf(std::string_view body) {
  static constexpr std::string_view kMagic("k8s\0", 4);
  if (body.substr(0, 4) != kMagic) {
    malformed("it does not start with the \"k8s\\x00\" envelope prefix");
  }
  std::string api_version, kind;
  std::string_view raw;
  Reader envelope(body.substr(4));
  Field f;
  while (envelope.next(f)) {
    if (f.number == 1) {
      expect_wire(f, kLengthDelimited, "typeMeta");
      Reader type_meta(f.bytes);
      Field g;
      while (type_meta.next(g)) {
        if (g.number == 1) api_version = as_string(g, "apiVersion");
        if (g.number == 2) kind = as_string(g, "kind");
      }
    } else if (f.number == 2) {
      expect_wire(f, kLengthDelimited, "raw");
      raw = f.bytes;
    } else if (f.number == 3) {
      if (!as_string(f, "contentEncoding").empty()) {
        throw unsupported_media_type("protobuf bodies with a content encoding are not supported");
      }
    }
  }
  if (kind.empty()) malformed("the envelope has no kind");
  Json object = {{"apiVersion", api_version}, {"kind", kind}};
  if (api_version == "v1" && kind == "Namespace") {
    decode_namespace(raw, object);
  } else if (api_version == "v1" && kind == "ConfigMap") {
    decode_config_map(raw, object);
  } else if (api_version == "v1" && kind == "Secret") {
    decode_secret(raw, object);
  } else if (api_version == "v1" && kind == "ServiceAccount") {
    decode_service_account(raw, object);
  } else {
    throw unsupported_media_type("the protobuf body for " + api_version + "/" + kind +
                                 " is not supported by skiff; send JSON (application/json) "
                                 "instead");
  }
  return object;
}

}  // namespace skiff::api
