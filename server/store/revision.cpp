#include "server/store/revision.h"

#include <charconv>
#include <stdexcept>

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
