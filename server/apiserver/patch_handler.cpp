// PATCH of one object (main resource): merge, JSON, strategic merge, and server-side apply
// (create when absent, else merge the applied configuration; the manager is recorded in
// managedFields; real field ownership tracking is not implemented).
#include "pkg/api/errors.h"
#include "pkg/api/json_text.h"
#include "pkg/api/time.h"
#include "server/apiserver/handlers.h"
#include "server/apiserver/patch_types.h"
#include "server/apiserver/responses.h"
#include "server/apiserver/storage.h"
#include "server/apiserver/write_pipeline.h"

namespace skiff::apiserver {

namespace {

void record_apply_manager(const RequestContext& context, Json& object, const std::string& manager) {
  Json entry = {{"manager", manager},
                {"operation", "Apply"},
                {"apiVersion", context.resource.api_version()},
                {"time", api::now_rfc3339()},
                {"fieldsType", "FieldsV1"},
                {"fieldsV1", Json::object()}};
  Json& metadata = object["metadata"];
  Json managed = Json::array();
  if (metadata.contains("managedFields") && metadata["managedFields"].is_array()) {
    for (const auto& existing : metadata["managedFields"]) {
      if (existing.is_object() && existing.value("manager", "") == manager &&
          existing.value("operation", "") == "Apply")
        continue;
      managed.push_back(existing);
    }
  }
  managed.push_back(std::move(entry));
  metadata["managedFields"] = std::move(managed);
}

http::Response server_side_apply(RequestContext& context, const Json& applied) {
  std::string manager = context.request.query_value("fieldManager");
  if (manager.empty())
    throw api::bad_request(
        "fieldManager is required for apply requests (application/apply-patch+yaml)");
  if (!applied.contains("apiVersion") || !applied.contains("kind"))
    throw api::bad_request("an applied configuration must set apiVersion and kind");
  bool dry_run = context.dry_run();
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!context.store.get(context.key())) {
      Json object = applied;
      check_against_url(context, object);
      record_apply_manager(context, object, manager);
      admit_create(context, object);
      try {
        auto stored = persist_create(context, std::move(object));
        return raw_json_response(201, api::json_text(*stored), context.warnings);
      } catch (const api::ApiError& error) {
        if (error.code() != 409 || error.reason() != "AlreadyExists") throw;
        continue;  // created meanwhile: apply as an update
      }
    }
    try {
      auto stored = guaranteed_update(
          context.store, context.resource, context.key(), context.name,
          [&](const Json& current) {
            Json merged = apply_patch(context.resource, PatchType::Apply, current, applied);
            record_apply_manager(context, merged, manager);
            return admit_update(context, current, std::move(merged), UpdateScope::Main);
          },
          dry_run);
      return raw_json_response(200, api::json_text(*stored), context.warnings);
    } catch (const api::ApiError& error) {
      if (error.code() != 404) throw;  // deleted meanwhile: apply as a create
    }
  }
  throw api::conflict(context.resource.qualified(), context.name,
                      "the object was created and deleted concurrently; try again");
}

}  // namespace

http::Response handle_patch(RequestContext& context) {
  PatchType type = parse_patch_type(context.request.header("Content-Type"));
  Json patch = parse_patch_document(context.request, type);
  if (type == PatchType::Apply) return server_side_apply(context, patch);
  bool dry_run = context.dry_run();
  auto stored = guaranteed_update(
      context.store, context.resource, context.key(), context.name,
      [&](const Json& current) {
        Json patched = apply_patch(context.resource, type, current, patch);
        if (!patched.is_object()) throw api::bad_request("the patch must leave an object");
        return admit_update(context, current, std::move(patched), UpdateScope::Main);
      },
      dry_run);
  return raw_json_response(200, api::json_text(*stored), context.warnings);
}

}  // namespace skiff::apiserver
