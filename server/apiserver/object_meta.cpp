#include "server/apiserver/object_meta.h"

#include <random>

#include "pkg/api/errors.h"
#include "pkg/api/time.h"
#include "server/apiserver/responses.h"

namespace skiff::apiserver {

namespace {

std::mt19937_64& random_engine() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return engine;
}

}  // namespace

std::string new_uid() {
  auto& engine = random_engine();
  uint64_t high = engine();
  uint64_t low = engine();
  high = (high & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  low = (low & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;    // RFC 4122 variant
  // 8-4-4-4-12 lowercase hex digits, written by hand: snprintf was 3,000 instructions of every
  // create.
  static constexpr char kHex[] = "0123456789abcdef";
  char text[36];
  const auto put_hex = [&](int at, uint64_t value, int digits) {
    for (int i = digits - 1; i >= 0; --i, value >>= 4) text[at + i] = kHex[value & 0xf];
  };
  put_hex(0, high >> 32, 8);
  text[8] = '-';
  put_hex(9, high >> 16, 4);
  text[13] = '-';
  put_hex(14, high, 4);
  text[18] = '-';
  put_hex(19, low >> 48, 4);
  text[23] = '-';
  put_hex(24, low, 12);
  return std::string(text, sizeof text);
}

std::string random_name_suffix(size_t length) {
  static constexpr char kAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  std::uniform_int_distribution<size_t> pick(0, sizeof kAlphabet - 2);
  std::string suffix;
  for (size_t i = 0; i < length; ++i) suffix.push_back(kAlphabet[pick(random_engine())]);
  return suffix;
}

bool tracks_generation(const api::ResourceInfo& resource, const Json& object) {
  if (resource.kind == "Namespace") return false;
  return object.is_object() && object.contains("spec");
}

void prepare_for_create(const api::ResourceInfo& resource, Json& object,
                        const std::string& namespace_name) {
  object["kind"] = resource.kind;
  object["apiVersion"] = resource.api_version();
  if (!object.contains("metadata") || !object["metadata"].is_object())
    object["metadata"] = Json::object();
  Json& metadata = object["metadata"];
  if (resource.namespaced)
    metadata["namespace"] = namespace_name;
  else
    metadata.erase("namespace");
  std::string name = metadata.value("name", std::string());
  if (name.empty()) {
    auto generate = metadata.find("generateName");
    if (generate != metadata.end() && generate->is_string() &&
        !generate->get_ref<const std::string&>().empty()) {
      metadata["name"] = generate->get<std::string>() + random_name_suffix();
    }
  }
  metadata["uid"] = new_uid();
  metadata["creationTimestamp"] = api::now_rfc3339();
  metadata.erase("resourceVersion");
  metadata.erase("deletionTimestamp");
  metadata.erase("deletionGracePeriodSeconds");
  metadata.erase("selfLink");
  if (tracks_generation(resource, object))
    metadata["generation"] = 1;
  else
    metadata.erase("generation");
}

Json merge_for_update(const api::ResourceInfo& resource, const Json& current, Json desired,
                      UpdateScope scope) {
  if (scope == UpdateScope::Status) {
    // Only status comes from the client; the CAS resourceVersion too.
    Json result = current;
    if (desired.contains("status"))
      result["status"] = desired["status"];
    else
      result.erase("status");
    const Json& desired_meta = desired.value("metadata", Json::object());
    if (desired_meta.contains("resourceVersion"))
      result["metadata"]["resourceVersion"] = desired_meta["resourceVersion"];
    return result;
  }
  if (!desired.contains("metadata") || !desired["metadata"].is_object())
    desired["metadata"] = Json::object();
  Json& metadata = desired["metadata"];
  const Json& stored = current["metadata"];
  for (const char* field : {"uid", "creationTimestamp", "name", "namespace", "deletionTimestamp",
                            "deletionGracePeriodSeconds"}) {
    if (stored.contains(field))
      metadata[field] = stored[field];
    else
      metadata.erase(field);
  }
  metadata.erase("generateName");
  if (stored.contains("generateName")) metadata["generateName"] = stored["generateName"];
  desired["kind"] = resource.kind;
  desired["apiVersion"] = resource.api_version();
  if (resource.has_subresource("status")) {
    if (current.contains("status"))
      desired["status"] = current["status"];
    else
      desired.erase("status");
  }
  if (tracks_generation(resource, desired)) {
    int64_t generation = stored.value("generation", int64_t{0});
    bool spec_changed = desired.value("spec", Json()) != current.value("spec", Json());
    metadata["generation"] = spec_changed || generation == 0 ? generation + 1 : generation;
  } else {
    metadata.erase("generation");
  }
  return desired;
}

int64_t parse_resource_version(const std::string& text) {
  if (text.empty()) return 0;
  int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9' || value > (INT64_MAX - 9) / 10)
      throw api::bad_request("invalid resourceVersion \"" + text + "\": not a revision number");
    value = value * 10 + (c - '0');
  }
  return value;
}

int64_t resource_version_of(const Json& object) {
  auto metadata = object.find("metadata");
  if (metadata == object.end() || !metadata->is_object()) return 0;
  auto rv = metadata->find("resourceVersion");
  if (rv == metadata->end() || rv->is_null()) return 0;
  if (!rv->is_string()) throw api::bad_request("metadata.resourceVersion must be a string");
  return parse_resource_version(rv->get<std::string>());
}

bool has_deletion_timestamp(const Json& object) {
  auto metadata = object.find("metadata");
  return metadata != object.end() && metadata->is_object() &&
         metadata->contains("deletionTimestamp") && !(*metadata)["deletionTimestamp"].is_null();
}

bool has_finalizers(const Json& object) {
  auto metadata = object.find("metadata");
  if (metadata == object.end() || !metadata->is_object()) return false;
  auto finalizers = metadata->find("finalizers");
  return finalizers != metadata->end() && finalizers->is_array() && !finalizers->empty();
}

}  // namespace skiff::apiserver
