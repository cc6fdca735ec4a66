#include "server/controllers/deployment_util.h"

#include <algorithm>
#include <charconv>
#include <climits>
#include <cmath>

#include "pkg/api/errors.h"
#include "server/controllers/json_access.h"

namespace skiff::controllers {
namespace {

constexpr std::string_view kSafeAlphabet = "bcdfghjklmnpqrstvwxz2456789";

Json without_empty_values(const Json& value) {
  if (value.is_object()) {
    Json out = Json::object();
    for (const auto& [key, child] : value.items()) {
      Json cleaned = without_empty_values(child);
      if (cleaned.is_null() || (cleaned.is_object() && cleaned.empty()) ||
          (cleaned.is_array() && cleaned.empty())) {
        continue;
      }
      out[key] = std::move(cleaned);
    }
    return out;
  }
  if (value.is_array()) {
    Json out = Json::array();
    // Array elements keep their positions: only their insides are cleaned.
    for (const Json& child : value) out.push_back(without_empty_values(child));
    return out;
  }
  return value;
}

std::uint32_t fnv32a(std::string_view data, std::uint32_t hash = 2166136261u) {
  for (unsigned char c : data) {
    hash ^= c;
    hash *= 16777619u;
  }
  return hash;
}

std::string creation_key(const Json& object) {
  return json::string_at(object, {"metadata", "creationTimestamp"}) + "\x1f" +
         json::string_at(object, {"metadata", "name"});
}

}  // namespace

Json normalize_pod_template(const Json& pod_template) {
  Json copy = pod_template;
  if (copy.is_object() && copy.contains("metadata") && copy["metadata"].is_object() &&
      copy["metadata"].contains("labels") && copy["metadata"]["labels"].is_object()) {
    copy["metadata"]["labels"].erase(kPodTemplateHashLabel);
  }
  return without_empty_values(copy);
}

std::string pod_template_hash(const Json& pod_template, std::int64_t collision_count) {
  // nlohmann's default object type is a std::map: dump() writes keys sorted, i.e. canonically.
  std::uint32_t hash = fnv32a(normalize_pod_template(pod_template).dump());
  if (collision_count != 0) {
    const auto count = static_cast<std::uint32_t>(collision_count);
    const char bytes[4] = {static_cast<char>(count & 0xff), static_cast<char>((count >> 8) & 0xff),
                           static_cast<char>((count >> 16) & 0xff),
                           static_cast<char>((count >> 24) & 0xff)};
    hash = fnv32a(std::string_view(bytes, 4), hash);
  }
  std::string out = std::to_string(hash);
  for (char& c : out) c = kSafeAlphabet[static_cast<unsigned char>(c) % kSafeAlphabet.size()];
  return out;
}

bool templates_equal_ignoring_hash(const Json& a, const Json& b) {
  return normalize_pod_template(a) == normalize_pod_template(b);
}

std::string replicaset_name(const std::string& deployment_name, const std::string& hash) {
  return deployment_name + "-" + hash;
}

std::int32_t desired_replicas(const Json& object) {
  return static_cast<std::int32_t>(json::int_at(object, {"spec", "replicas"}, 1));
}

bool is_rolling_update(const Json& deployment) {
  return json::string_at(deployment, {"spec", "strategy", "type"}, "RollingUpdate") != "Recreate";
}

std::int32_t min_ready_seconds(const Json& object) {
  return static_cast<std::int32_t>(json::int_at(object, {"spec", "minReadySeconds"}, 0));
}

std::int32_t progress_deadline_seconds(const Json& deployment) {
  return static_cast<std::int32_t>(
      json::int_at(deployment, {"spec", "progressDeadlineSeconds"}, 600));
}

std::int32_t revision_history_limit(const Json& deployment) {
  return static_cast<std::int32_t>(json::int_at(deployment, {"spec", "revisionHistoryLimit"}, 10));
}

std::int32_t scaled_int_or_percent(const Json& value, std::int32_t total, bool round_up) {
  if (value.is_number_integer()) return value.get<std::int32_t>();
  if (!value.is_string()) {
    throw api::bad_request("invalid value for IntOrString: invalid type: " + value.dump());
  }
  const std::string text = value.get<std::string>();
  int percent = 0;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  if (text.size() < 2 || text.back() != '%') {
    throw api::bad_request(
        "invalid value for IntOrString: invalid type: string is not a "
        "percentage: \"" +
        text + "\"");
  }
  auto [ptr, ec] = std::from_chars(begin, end - 1, percent);
  if (ec != std::errc() || ptr != end - 1) {
    throw api::bad_request("invalid value for IntOrString: invalid value for percent: \"" + text +
                           "\"");
  }
  const double scaled = static_cast<double>(percent) * total / 100.0;
  return static_cast<std::int32_t>(round_up ? std::ceil(scaled) : std::floor(scaled));
}

Fenceposts resolve_fenceposts(const Json& max_surge, const Json& max_unavailable,
                              std::int32_t desired) {
  const Json default_value = "25%";
  Fenceposts f;
  f.max_surge =
      scaled_int_or_percent(max_surge.is_null() ? default_value : max_surge, desired, true);
  f.max_unavailable = scaled_int_or_percent(
      max_unavailable.is_null() ? default_value : max_unavailable, desired, false);
  if (f.max_surge == 0 && f.max_unavailable == 0) f.max_unavailable = 1;
  return f;
}

namespace {
Fenceposts deployment_fenceposts(const Json& deployment) {
  const Json& rolling = json::at(deployment, {"spec", "strategy", "rollingUpdate"});
  return resolve_fenceposts(json::at(rolling, {"maxSurge"}), json::at(rolling, {"maxUnavailable"}),
                            desired_replicas(deployment));
}
}  // namespace

std::int32_t max_surge(const Json& deployment) {
  if (!is_rolling_update(deployment)) return 0;
  return deployment_fenceposts(deployment).max_surge;
}

std::int32_t max_unavailable(const Json& deployment) {
  const std::int32_t replicas = desired_replicas(deployment);
  if (!is_rolling_update(deployment) || replicas == 0) return 0;
  return std::min(deployment_fenceposts(deployment).max_unavailable, replicas);
}

std::int64_t revision_of(const Json& object) {
  const std::string text =
      json::string_at(object, {"metadata", "annotations", kRevisionAnnotation});
  std::int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || value < 0) return 0;
  return value;
}

std::int64_t max_revision(const std::vector<Json>& replicasets) {
  std::int64_t max = 0;
  for (const Json& rs : replicasets) max = std::max(max, revision_of(rs));
  return max;
}

std::int64_t next_revision(const std::vector<Json>& old_replicasets) {
  return max_revision(old_replicasets) + 1;
}

bool set_revision(Json& object, std::int64_t revision) {
  if (revision_of(object) >= revision &&
      !json::string_at(object, {"metadata", "annotations", kRevisionAnnotation}).empty()) {
    return false;
  }
  object["metadata"]["annotations"][kRevisionAnnotation] = std::to_string(revision);
  return true;
}

int find_new_replicaset(const Json& deployment, const std::vector<Json>& replicasets) {
  const Json& wanted = json::at(deployment, {"spec", "template"});
  int best = -1;
  for (std::size_t i = 0; i < replicasets.size(); ++i) {
    if (!templates_equal_ignoring_hash(json::at(replicasets[i], {"spec", "template"}), wanted)) {
      continue;
    }
    if (best < 0 || creation_key(replicasets[i]) < creation_key(replicasets[best])) {
      best = static_cast<int>(i);
    }
  }
  return best;
}

Json build_new_replicaset(const Json& deployment, std::int32_t replicas, std::int64_t revision,
                          std::int64_t collision_count) {
  const Json& meta = json::at(deployment, {"metadata"});
  const std::string name = json::string_at(meta, {"name"});
  Json pod_template = json::at(deployment, {"spec", "template"});
  const std::string hash = pod_template_hash(pod_template, collision_count);
  pod_template["metadata"]["labels"][kPodTemplateHashLabel] = hash;

  Json selector = json::at(deployment, {"spec", "selector"});
  if (!selector.is_object()) selector = Json::object();
  selector["matchLabels"][kPodTemplateHashLabel] = hash;

  Json annotations = Json::object();
  annotations[kRevisionAnnotation] = std::to_string(revision);
  annotations[kDesiredReplicasAnnotation] = std::to_string(desired_replicas(deployment));
  annotations[kMaxReplicasAnnotation] =
      std::to_string(desired_replicas(deployment) + max_surge(deployment));
  const std::string cause = json::string_at(meta, {"annotations", kChangeCauseAnnotation});
  if (!cause.empty()) annotations[kChangeCauseAnnotation] = cause;

  Json rs = {{"apiVersion", "apps/v1"},
             {"kind", "ReplicaSet"},
             {"metadata",
              {{"name", replicaset_name(name, hash)},
               {"namespace", json::string_at(meta, {"namespace"}, "default")},
               {"labels", pod_template["metadata"]["labels"]},
               {"annotations", annotations},
               {"ownerReferences",
                {{{"apiVersion", "apps/v1"},
                  {"kind", "Deployment"},
                  {"name", name},
                  {"uid", json::string_at(meta, {"uid"})},
                  {"controller", true},
                  {"blockOwnerDeletion", true}}}}}},
             {"spec",
              {{"replicas", replicas},
               {"minReadySeconds", min_ready_seconds(deployment)},
               {"selector", selector},
               {"template", pod_template}}}};
  return rs;
}

std::vector<std::string> replicasets_to_clean_up(const Json& deployment,
                                                 const std::vector<Json>& old_replicasets) {
  std::vector<const Json*> alive;
  for (const Json& rs : old_replicasets) {
    if (json::at(rs, {"metadata", "deletionTimestamp"}).is_null()) alive.push_back(&rs);
  }
  const std::int64_t surplus =
      static_cast<std::int64_t>(alive.size()) - revision_history_limit(deployment);
  if (surplus <= 0) return {};
  std::sort(alive.begin(), alive.end(), [](const Json* a, const Json* b) {
    const auto ra = revision_of(*a), rb = revision_of(*b);
    return ra != rb ? ra < rb : creation_key(*a) < creation_key(*b);
  });
  std::vector<std::string> out;
  for (std::int64_t i = 0; i < surplus; ++i) {
    const Json& rs = *alive[i];
    if (json::int_at(rs, {"status", "replicas"}) != 0 || desired_replicas(rs) != 0 ||
        json::int_at(rs, {"metadata", "generation"}) >
            json::int_at(rs, {"status", "observedGeneration"})) {
      continue;
    }
    out.push_back(json::string_at(rs, {"metadata", "name"}));
  }
  return out;
}

}  // namespace skiff::controllers
