#include "server/security/node_identities.h"

#include <filesystem>
#include <stdexcept>

#include "pkg/api/json.h"
#include "pkg/api/time.h"
#include "pkg/pki/pki.h"

namespace skiff::security {

namespace {

int64_t unix_seconds(NodeIdentities::TimePoint time) {
  return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
}

}  // namespace

NodeIdentities::NodeIdentities(std::string path) : path_(std::move(path)) {
  if (!std::filesystem::exists(path_)) return;
  try {
    const Json saved = Json::parse(pki::read_file(path_));
    if (!saved.is_object()) throw std::runtime_error("not a JSON object");
    for (const auto& [node, seconds] : saved.items()) {
      if (!seconds.is_number_integer())
        throw std::runtime_error("the value for \"" + node + "\" is not a number of seconds");
      joined_at_[node] = seconds.get<int64_t>();
    }
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot read the node identities in " + path_ + ": " + e.what() +
                             " (restore it, or delete it to accept every node certificate the "
                             "client CA signed)");
  }
}

void NodeIdentities::joined(const std::string& node, TimePoint not_before) {
  std::lock_guard lock(mutex_);
  auto updated = joined_at_;
  updated[node] = unix_seconds(not_before);
  pki::write_file(path_, Json(updated).dump(1) + "\n", 0600);
  joined_at_ = std::move(updated);
}

std::string NodeIdentities::check(const std::string& node, TimePoint not_before) const {
  std::lock_guard lock(mutex_);
  const auto found = joined_at_.find(node);
  if (found == joined_at_.end() || unix_seconds(not_before) >= found->second) return "";
  return "this certificate of node \"" + node +
         "\" was replaced when the node joined again (by one valid from " +
         api::format_rfc3339(std::chrono::system_clock::from_time_t(found->second)) + ")";
}

}  // namespace skiff::security
