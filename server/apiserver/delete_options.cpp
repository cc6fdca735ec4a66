#include "server/apiserver/delete_options.h"

#include "pkg/api/errors.h"
#include "server/apiserver/request_body.h"

namespace skiff::apiserver {

DeleteOptions parse_delete_options(const RequestContext& context) {
  DeleteOptions options;
  auto& request = context.request;
  Json body = Json::object();
  if (auto taken = take_object_body(request)) {
    body = std::move(*taken);
    if (!body.is_object()) throw api::bad_request("DeleteOptions must be a JSON object");
  } else if (!request.body.empty()) {
    body = parse_json_body(request.body, "error decoding DeleteOptions");
    if (!body.is_object()) throw api::bad_request("DeleteOptions must be a JSON object");
  }
  try {
    if (body.contains("propagationPolicy") && !body["propagationPolicy"].is_null())
      options.propagation_policy = body["propagationPolicy"].get<std::string>();
    if (body.contains("gracePeriodSeconds") && !body["gracePeriodSeconds"].is_null())
      options.grace_period_seconds = body["gracePeriodSeconds"].get<int64_t>();
    if (body.contains("preconditions") && body["preconditions"].is_object()) {
      const auto& preconditions = body["preconditions"];
      if (preconditions.contains("uid") && !preconditions["uid"].is_null())
        options.precondition_uid = preconditions["uid"].get<std::string>();
      if (preconditions.contains("resourceVersion") && !preconditions["resourceVersion"].is_null())
        options.precondition_resource_version = preconditions["resourceVersion"].get<std::string>();
    }
    if (body.contains("dryRun") && body["dryRun"].is_array()) {
      for (const auto& value : body["dryRun"]) {
        if (value != "All") throw api::bad_request("dryRun must be \"All\"");
        options.dry_run = true;
      }
    }
  } catch (const Json::exception& e) {
    throw api::bad_request(std::string("invalid DeleteOptions: ") + e.what());
  }
  if (request.has_query("propagationPolicy"))
    options.propagation_policy = request.query_value("propagationPolicy");
  if (request.has_query("gracePeriodSeconds")) {
    try {
      options.grace_period_seconds = std::stoll(request.query_value("gracePeriodSeconds"));
    } catch (const std::exception&) {
      throw api::bad_request("gracePeriodSeconds must be an integer");
    }
  }
  if (context.dry_run()) options.dry_run = true;
  const auto& policy = options.propagation_policy;
  if (policy != "Background" && policy != "Foreground" && policy != "Orphan") {
    throw api::bad_request("propagationPolicy must be Background, Foreground or Orphan, not \"" +
                           policy + "\"");
  }
  // Kubernetes treats a negative grace period as "as soon as possible" too.
  if (options.grace_period_seconds && *options.grace_period_seconds < 0)
    options.grace_period_seconds = 0;
  return options;
}

std::vector<std::string> propagation_finalizers(const DeleteOptions& options) {
  if (options.propagation_policy == "Foreground") return {"foregroundDeletion"};
  if (options.propagation_policy == "Orphan") return {"orphan"};
  return {};
}

void check_preconditions(const RequestContext& context, const DeleteOptions& options,
                         const Json& current) {
  const Json& metadata = current["metadata"];
  std::string uid = metadata.value("uid", std::string());
  std::string revision = metadata.value("resourceVersion", std::string());
  if (!options.precondition_uid.empty() && options.precondition_uid != uid) {
    throw api::conflict(context.resource.qualified(), context.name,
                        "Precondition failed: UID in precondition: " + options.precondition_uid +
                            ", UID in object meta: " + uid);
  }
  if (!options.precondition_resource_version.empty() &&
      options.precondition_resource_version != revision) {
    throw api::conflict(context.resource.qualified(), context.name,
                        "Precondition failed: ResourceVersion in precondition: " +
                            options.precondition_resource_version +
                            ", ResourceVersion in object meta: " + revision);
  }
}

}  // namespace skiff::apiserver
