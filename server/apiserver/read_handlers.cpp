// GET of one object and LIST of a collection, as JSON or as a meta.k8s.io Table.
#include <chrono>

#include "pkg/api/errors.h"
#include "pkg/api/json_text.h"
#include "server/apiserver/handlers.h"
#include "server/apiserver/list_options.h"
#include "server/apiserver/responses.h"
#include "server/apiserver/tables.h"

namespace skiff::apiserver {

http::Response handle_get(RequestContext& context) {
  auto object = context.store.get(context.key());
  if (!object) throw api::not_found(context.resource.qualified(), context.name);
  const auto& accept = context.request.header("Accept");
  if (wants_table(accept)) {
    auto include = parse_include_object(context.request.query_value("includeObject"));
    Json copy = *object;
    set_type_meta(context.resource, copy);
    return json_response(
        200, make_table(context.resource, {copy}, copy["metadata"].value("resourceVersion", ""),
                        include, std::chrono::system_clock::now()));
  }
  if (object->contains("kind") && object->contains("apiVersion"))
    return raw_json_response(200, api::json_text(*object));
  Json copy = *object;
  set_type_meta(context.resource, copy);
  return json_response(200, copy);
}

http::Response handle_list(RequestContext& context) {
  auto query = parse_list_query(context);
  store::ListOptions options;
  options.prefix = list_prefix(context);
  options.start_after_key = query.continue_after_key;
  options.limit = query.limit;
  if (query.filters())
    options.filter = [&query](const Json& object) { return query.matches(object); };
  store::ListResult result;
  try {
    result = context.store.list(options);
  } catch (const store::StoreError& error) {
    throw api::service_unavailable(error.what());
  }
  std::string revision = std::to_string(result.revision);
  Json metadata = {{"resourceVersion", revision}};
  if (result.more && !result.last_key.empty())
    metadata["continue"] = encode_continue_token(result.last_key);

  const auto& accept = context.request.header("Accept");
  if (wants_table(accept)) {
    auto include = parse_include_object(context.request.query_value("includeObject"));
    std::vector<Json> objects;
    objects.reserve(result.items.size());
    for (const auto& item : result.items) {
      objects.push_back(*item);
      set_type_meta(context.resource, objects.back());
    }
    Json table =
        make_table(context.resource, objects, revision, include, std::chrono::system_clock::now());
    if (metadata.contains("continue")) table["metadata"]["continue"] = metadata["continue"];
    return json_response(200, table);
  }
  // Assemble the list text from the stored objects without copying them into a new document.
  std::string body = "{\"kind\":" + Json(context.resource.list_kind()).dump() +
                     ",\"apiVersion\":" + Json(context.resource.api_version()).dump() +
                     ",\"metadata\":" + metadata.dump() + ",\"items\":[";
  bool first = true;
  for (const auto& item : result.items) {
    if (!first) body.push_back(',');
    first = false;
    api::append_json_text(body, *item);
  }
  body += "]}";
  return raw_json_response(200, std::move(body));
}

}  // namespace skiff::apiserver
