// DELETE of one object and of a collection. Objects with finalizers are only marked
// (deletionTimestamp); Foreground and Orphan propagation add their finalizer, which the
// garbage collector removes when done. Namespaces always go through the namespace controller.
#include <algorithm>
#include <chrono>

#include "pkg/api/errors.h"
#include "pkg/api/json_text.h"
#include "pkg/api/time.h"
#include "server/apiserver/delete_options.h"
#include "server/apiserver/handlers.h"
#include "server/apiserver/list_options.h"
#include "server/apiserver/object_meta.h"
#include "server/apiserver/pod_deletion.h"
#include "server/apiserver/responses.h"
#include "server/apiserver/storage.h"

namespace skiff::apiserver {

namespace {

bool is_protected_namespace(const std::string& name) {
  return name == "default" || name == "kube-system" || name == "kube-public";
}

// Marks a namespace Terminating; the namespace controller empties and removes it.
store::ObjectPtr mark_namespace(RequestContext& context, const DeleteOptions& options) {
  return guaranteed_update(
      context.store, context.resource, context.key(), context.name,
      [&](const Json& current) {
        check_preconditions(context, options, current);
        Json marked = current;
        if (!has_deletion_timestamp(marked)) {
          marked["metadata"]["deletionTimestamp"] = api::now_rfc3339();
          marked["metadata"]["deletionGracePeriodSeconds"] = 0;
        }
        marked["status"]["phase"] = "Terminating";
        return marked;
      },
      options.dry_run);
}

// Deletes one object that was read as `current`; returns what the client sees.
store::ObjectPtr delete_one(RequestContext& context, const DeleteOptions& options,
                            const std::string& key, store::ObjectPtr current) {
  for (int attempt = 0;; ++attempt) {
    check_preconditions(context, options, *current);
    try {
      return delete_or_mark(context.store, key, *current, propagation_finalizers(options),
                            options.grace_period_seconds.value_or(0), options.dry_run);
    } catch (const store::StoreError& error) {
      if (error.code() != store::StoreError::Code::Conflict || attempt >= 16)
        throw_store_error(error, context.resource, context.name);
    }
    current = context.store.get(key);  // changed meanwhile: decide again on the new state
    if (!current) throw api::not_found(context.resource.qualified(), context.name);
  }
}

}  // namespace

http::Response handle_delete(RequestContext& context) {
  auto options = parse_delete_options(context);
  auto current = context.store.get(context.key());
  if (!current) throw api::not_found(context.resource.qualified(), context.name);
  if (context.resource.kind == "Namespace") {
    if (is_protected_namespace(context.name)) {
      throw api::forbidden("namespaces \"" + context.name +
                           "\" is forbidden: this namespace may not be deleted");
    }
    return raw_json_response(200, api::json_text(*mark_namespace(context, options)));
  }
  if (context.resource.kind == "Pod") {
    if (auto marked = mark_pod_terminating(context, options, current)) {
      return raw_json_response(200, api::json_text(*marked));
    }
  }
  auto result = delete_one(context, options, context.key(), current);
  return raw_json_response(200, api::json_text(*result));
}

http::Response handle_delete_collection(RequestContext& context) {
  auto options = parse_delete_options(context);
  auto query = parse_list_query(context);
  store::ListOptions list_options;
  list_options.prefix = list_prefix(context);
  if (query.filters())
    list_options.filter = [&query](const Json& object) { return query.matches(object); };
  auto list = context.store.list(list_options);
  Json items = Json::array();
  for (const auto& item : list.items) {
    std::string name = (*item)["metadata"].value("name", std::string());
    std::string ns = (*item)["metadata"].value("namespace", std::string());
    RequestContext one{context.request,           context.store, context.resource, ns, name, "", {},
                       context.service_allocator, nullptr};
    try {
      if (context.resource.kind == "Namespace") {
        if (is_protected_namespace(name)) continue;
        items.push_back(*mark_namespace(one, options));
      } else if (auto marked = context.resource.kind == "Pod"
                                   ? mark_pod_terminating(one, options, item)
                                   : nullptr) {
        items.push_back(*marked);
      } else {
        items.push_back(*delete_one(one, options, context.resource.key(ns, name), item));
      }
    } catch (const api::ApiError& error) {
      if (error.code() != 404) throw;  // gone meanwhile
    }
  }
  Json body = {
      {"kind", context.resource.list_kind()},
      {"apiVersion", context.resource.api_version()},
      {"metadata", {{"resourceVersion", std::to_string(context.store.current_revision())}}},
      {"items", std::move(items)}};
  return json_response(200, body);
}

}  // namespace skiff::apiserver
