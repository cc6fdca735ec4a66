// Subresources: status (only status changes), scale (autoscaling/v1 Scale over spec.replicas),
// pods/binding, pods/eviction, namespaces/finalize, and the node-side streams not served yet
// (attach, portforward; log and exec are in pod_stream_handlers.h).
#include "pkg/api/errors.h"
#include "pkg/api/json_text.h"
#include "pkg/api/selectors.h"
#include "server/apiserver/delete_options.h"
#include "server/apiserver/handlers.h"
#include "server/apiserver/patch_types.h"
#include "server/apiserver/pod_deletion.h"
#include "server/apiserver/request_body.h"
#include "server/apiserver/responses.h"
#include "server/apiserver/storage.h"
#include "server/apiserver/write_pipeline.h"

namespace skiff::apiserver {

namespace {

[[noreturn]] void method_not_allowed(const RequestContext& context) {
  throw api::method_not_allowed("the server does not allow this method (" + context.request.method +
                                ") on " + context.resource.plural + "/" + context.subresource);
}

store::ObjectPtr get_or_404(RequestContext& context) {
  auto object = context.store.get(context.key());
  if (!object) throw api::not_found(context.resource.qualified(), context.name);
  return object;
}

// The body of a PUT (a whole object) or a PATCH (a patch document and its type) to a
// subresource; any other method is 405.
struct WriteBody {
  Json body;
  std::optional<PatchType> patch_type;  // empty for PUT
};

WriteBody read_write_body(RequestContext& context) {
  const auto& method = context.request.method;
  if (method == "PUT") return {decode_object_body(context.request), std::nullopt};
  if (method != "PATCH") method_not_allowed(context);
  auto type = parse_patch_type(context.request.header("Content-Type"));
  return {parse_patch_document(context.request, type), type};
}

// --- status ---

http::Response handle_status(RequestContext& context) {
  const auto& method = context.request.method;
  if (method == "GET") return raw_json_response(200, api::json_text(*get_or_404(context)));
  auto [body, patch_type] = read_write_body(context);
  auto stored = guaranteed_update(
      context.store, context.resource, context.key(), context.name,
      [&](const Json& current) {
        Json desired =
            patch_type ? apply_patch(context.resource, *patch_type, current, body) : body;
        return admit_update(context, current, std::move(desired), UpdateScope::Status);
      },
      context.dry_run());
  return raw_json_response(200, api::json_text(*stored), context.warnings);
}

// --- scale ---

Json scale_of(const Json& object) {
  const Json& metadata = object["metadata"];
  Json scale_metadata = Json::object();
  for (const char* field : {"name", "namespace", "uid", "resourceVersion", "creationTimestamp"})
    if (metadata.contains(field)) scale_metadata[field] = metadata[field];
  Json spec = object.value("spec", Json::object());
  Json status = object.value("status", Json::object());
  int64_t replicas = spec.contains("replicas") && spec["replicas"].is_number_integer()
                         ? spec["replicas"].get<int64_t>()
                         : 1;
  int64_t current = status.contains("replicas") && status["replicas"].is_number_integer()
                        ? status["replicas"].get<int64_t>()
                        : 0;
  std::string selector;
  if (spec.contains("selector")) {
    try {
      selector = api::LabelSelector::from_json(spec["selector"]).to_string();
    } catch (const std::exception&) {
      selector.clear();
    }
  }
  return {{"kind", "Scale"},
          {"apiVersion", "autoscaling/v1"},
          {"metadata", scale_metadata},
          {"spec", {{"replicas", replicas}}},
          {"status", {{"replicas", current}, {"selector", selector}}}};
}

int64_t replicas_of_scale(const RequestContext& context, const Json& scale) {
  if (!scale.is_object()) throw api::bad_request("a Scale must be a JSON object");
  if (scale.contains("kind") && scale["kind"] != "Scale")
    throw api::bad_request("the body must be a Scale, not " + scale["kind"].dump());
  const Json spec = scale.value("spec", Json::object());
  if (!spec.is_object() || !spec.contains("replicas") || spec["replicas"].is_null()) return -1;
  const Json& replicas = spec["replicas"];
  if (!replicas.is_number_integer() || replicas.get<int64_t>() < 0) {
    throw api::invalid("autoscaling", "Scale", context.name,
                       {{"FieldValueInvalid",
                         "Invalid value: " + replicas.dump() + ": must be a non-negative integer",
                         "spec.replicas"}});
  }
  return replicas.get<int64_t>();
}

http::Response handle_scale(RequestContext& context) {
  const auto& method = context.request.method;
  if (method == "GET") return json_response(200, scale_of(*get_or_404(context)));
  auto [body, patch_type] = read_write_body(context);
  auto stored = guaranteed_update(
      context.store, context.resource, context.key(), context.name,
      [&](const Json& current) {
        Json scale = body;
        if (patch_type) {
          auto type = *patch_type == PatchType::Strategic ? PatchType::Merge : *patch_type;
          scale = apply_patch(context.resource, type, scale_of(current), body);
        }
        int64_t replicas = replicas_of_scale(context, scale);
        Json desired = current;
        if (replicas >= 0) desired["spec"]["replicas"] = replicas;
        // A Scale carrying resourceVersion is a precondition on the scaled object.
        const Json scale_metadata = scale.value("metadata", Json::object());
        if (scale_metadata.is_object() && scale_metadata.contains("resourceVersion"))
          desired["metadata"]["resourceVersion"] = scale_metadata["resourceVersion"];
        return admit_update(context, current, std::move(desired), UpdateScope::Main);
      },
      context.dry_run());
  return json_response(200, scale_of(*stored));
}

// --- pods ---

// pods/binding: sets spec.nodeName once. The check and the change are applied by the store's
// writer to the pod as it stands (Store::mutate_async): no read beforehand, no Conflict to
// retry, and the request holds no thread while the write commits (the scheduler binds
// thousands of pods a second this way).
http::HandlerResult handle_binding(RequestContext& context) {
  if (context.request.method != "POST") method_not_allowed(context);
  Json binding = decode_object_body(context.request);
  const Json target = binding.value("target", Json::object());
  std::string node = target.is_object() ? target.value("name", std::string()) : "";
  if (node.empty()) {
    throw api::invalid("", "Binding", context.name,
                       {{"FieldValueRequired", "Required value", "target.name"}});
  }
  auto bind = [name = context.name, node](const Json& current) {
    // Read in place: value("spec", ...) would copy the whole spec for one field.
    std::string assigned;
    if (auto spec = current.find("spec"); spec != current.end() && spec->is_object())
      assigned = spec->value("nodeName", "");
    if (!assigned.empty()) {
      throw api::conflict("pods/binding", name,
                          "pod " + name + " is already assigned to node \"" + assigned + "\"");
    }
    Json desired = current;
    desired["spec"]["nodeName"] = node;
    return desired;
  };
  if (context.dry_run()) {
    guaranteed_update(context.store, context.resource, context.key(), context.name, bind, true);
    return json_response(201, success_status(context.resource, context.name));
  }
  return http::DeferredResponse{[&store = context.store, &resource = context.resource,
                                 key = context.key(), name = context.name,
                                 bind = std::move(bind)](http::ResponderPtr responder) mutable {
    store.mutate_async(
        key, std::move(bind),
        [responder = std::move(responder), &resource, name](store::WriteResult result) {
          try {
            if (result.error) rethrow_write_error(result.error, resource, name);
            responder->send(json_response(201, success_status(resource, name)));
          } catch (...) {
            responder->send(current_error_response());
          }
        });
  }};
}

http::Response handle_eviction(RequestContext& context) {
  if (context.request.method != "POST") method_not_allowed(context);
  auto current = get_or_404(context);
  bool dry_run = context.dry_run();
  // An Eviction is a delete with the Eviction's deleteOptions (grace period, preconditions).
  DeleteOptions options;
  options.dry_run = dry_run;
  if (has_body(context.request)) {
    Json eviction = decode_object_body(context.request);
    const Json& delete_options = eviction.is_object() && eviction.contains("deleteOptions")
                                     ? eviction["deleteOptions"]
                                     : Json();
    if (delete_options.is_object() && delete_options.contains("gracePeriodSeconds") &&
        delete_options["gracePeriodSeconds"].is_number_integer()) {
      options.grace_period_seconds =
          std::max<int64_t>(0, delete_options["gracePeriodSeconds"].get<int64_t>());
    }
    // `kubectl drain --dry-run=server` says dry run only here, not in the query.
    if (delete_options.is_object() && delete_options.contains("dryRun")) {
      for (const auto& value : delete_options["dryRun"]) {
        if (value != "All") throw api::bad_request("dryRun must be \"All\"");
        options.dry_run = dry_run = true;
      }
    }
  }
  if (mark_pod_terminating(context, options, current)) {
    return json_response(201, success_status(context.resource, context.name));
  }
  try {
    delete_or_mark(context.store, context.key(), *current, {}, 0, dry_run);
  } catch (const store::StoreError& error) {
    throw_store_error(error, context.resource, context.name);
  }
  return json_response(201, success_status(context.resource, context.name));
}

http::Response handle_node_stream(RequestContext& context) {
  get_or_404(context);  // a missing pod is a 404 on every method, as kubectl expects
  throw api::service_unavailable("pods/" + context.subresource + " is not supported by skiff yet");
}

// --- namespaces ---

http::Response handle_finalize(RequestContext& context) {
  if (context.request.method != "PUT") method_not_allowed(context);
  Json body = decode_object_body(context.request);
  auto stored = guaranteed_update(
      context.store, context.resource, context.key(), context.name,
      [&](const Json& current) {
        Json desired = current;
        desired["spec"]["finalizers"] =
            body.value("spec", Json::object()).value("finalizers", Json::array());
        return desired;
      },
      context.dry_run());
  return raw_json_response(200, stored->dump());
}

}  // namespace

http::HandlerResult handle_subresource(RequestContext& context) {
  const auto& sub = context.subresource;
  if (sub == "status") return handle_status(context);
  if (sub == "scale") return handle_scale(context);
  if (sub == "binding") return handle_binding(context);
  if (sub == "eviction") return handle_eviction(context);
  if (sub == "finalize") return handle_finalize(context);
  if (sub == "log" || sub == "exec" || sub == "attach" || sub == "portforward")
    return handle_node_stream(context);
  throw api::not_found_path("the server could not find the requested resource");
}

}  // namespace skiff::apiserver
