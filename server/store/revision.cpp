#include "server/store/revision.h"

#include <charconv>
#include <stdexcept>

#include "pkg/api/json_text.h"

namespace skiff::store {

void stamp_revision(Json& object, int64_t revision) {
  if (!object.is_object()) {
    throw std::invalid_argument("store: value must be a JSON object, got " +
                                std::string(object.type_name()));
  }
  Json& metadata = object["metadata"];
  if (!metadata.is_object()) metadata = Json::object();
  metadata["resourceVersion"] = std::to_string(revision);
}

namespace {

// Writes `object` as json_text does ({"key":value,...} in key order), each value through
// `write_value(key, value)`.
template <class WriteValue>
void append_object(std::string& out, const Json& object, WriteValue write_value) {
  out.push_back('{');
  bool first = true;
  for (const auto& [key, value] : object.get_ref<const Json::object_t&>()) {
    if (!first) out.push_back(',');
    first = false;
    api::append_json_string(out, key);
    out.push_back(':');
    write_value(key, value);
  }
  out.push_back('}');
}

}  // namespace

std::optional<PreparedText> prepare_text(Json& object) {
  if (!object.is_object()) return std::nullopt;
  auto metadata = object.find("metadata");
  if (metadata == object.end() || !metadata->is_object()) return std::nullopt;
  (*metadata)["resourceVersion"] = "";
  try {
    // The object's members in key order (as json_text writes them), and metadata's the same
    // way, noting where resourceVersion's value starts; every other value is written whole.
    PreparedText prepared;
    std::string& out = prepared.text;
    append_object(out, object, [&](const std::string&, const Json& member) {
      if (&member != &*metadata) return api::append_json_text(out, member);
      append_object(out, member, [&](const std::string& field, const Json& value) {
        if (field == "resourceVersion") prepared.revision_at = out.size() + 1;
        api::append_json_text(out, value);
      });
    });
    return prepared;
  } catch (const Json::exception&) {
    return std::nullopt;
  }
}

std::string stamped_text(PreparedText prepared, int64_t revision) {
  char digits[24];
  const auto written = std::to_chars(digits, digits + sizeof digits, revision);
  prepared.text.insert(prepared.revision_at, digits, static_cast<size_t>(written.ptr - digits));
  return std::move(prepared.text);
}

int64_t revision_of(const Json& object) {
  auto metadata = object.find("metadata");
  if (metadata == object.end() || !metadata->is_object()) return 0;
  auto version = metadata->find("resourceVersion");
  if (version == metadata->end() || !version->is_string()) return 0;
  const auto& text = version->get_ref<const std::string&>();
  int64_t revision = 0;
  std::from_chars(text.data(), text.data() + text.size(), revision);
  return revision;
}

std::optional<std::string> prefix_upper_bound(const std::string& prefix) {
  std::string bound = prefix;
  while (!bound.empty()) {
    auto last = static_cast<unsigned char>(bound.back());
    if (last != 0xff) {
      bound.back() = static_cast<char>(last + 1);
      return bound;
    }
    bound.pop_back();
  }
  return std::nullopt;
}

StoreError not_found_error(const std::string& key) {
  return StoreError(StoreError::Code::NotFound, "key " + key + " not found");
}

StoreError already_exists_error(const std::string& key) {
  return StoreError(StoreError::Code::AlreadyExists, "key " + key + " already exists");
}

StoreError conflict_error(const std::string& key, int64_t expected_revision,
                          int64_t stored_revision) {
  return StoreError(StoreError::Code::Conflict, "key " + key + " was modified: expected revision " +
                                                    std::to_string(expected_revision) +
                                                    ", stored revision is " +
                                                    std::to_string(stored_revision));
}

}  // namespace skiff::store
