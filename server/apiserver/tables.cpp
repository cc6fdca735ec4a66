#include "server/apiserver/tables.h"

#include <map>

#include "pkg/api/errors.h"
#include "server/apiserver/media_type_params.h"
#include "server/apiserver/table_columns.h"

namespace skiff::apiserver {

namespace {

Json column_definitions(const std::vector<tables::Column>& columns) {
  Json out = Json::array();
  for (const auto& column : columns) {
    out.push_back({{"name", column.name},
                   {"type", column.type},
                   {"format", column.format},
                   {"description", column.description},
                   {"priority", column.priority}});
  }
  return out;
}

// rows[].object as the includeObject parameter asks; null means "leave it out".
Json row_object(const api::ResourceInfo& resource, const Json& object, IncludeObject include) {
  switch (include) {
    case IncludeObject::None:
      return nullptr;
    case IncludeObject::Object: {
      Json full = object;
      if (!full.contains("kind")) full["kind"] = resource.kind;
      if (!full.contains("apiVersion")) full["apiVersion"] = resource.api_version();
      return full;
    }
    case IncludeObject::Metadata:
      break;
  }
  return Json{{"kind", "PartialObjectMetadata"},
              {"apiVersion", "meta.k8s.io/v1"},
              {"metadata", object.value("metadata", Json::object())}};
}

}  // namespace

namespace tables {

const Printer& printer_for(const std::string& kind) {
  static const std::map<std::string, Printer> printers = {
      {"Pod", pod_printer()},
      {"Deployment", deployment_printer()},
      {"ReplicaSet", replicaset_printer()},
      {"Node", node_printer()},
      {"Service", service_printer()},
      {"Endpoints", endpoints_printer()},
      {"Namespace", namespace_printer()},
      {"ConfigMap", configmap_printer()},
      {"Secret", secret_printer()},
      {"ServiceAccount", serviceaccount_printer()},
      {"Event", event_printer()},
      {"Ingress", ingress_printer()},
      {"IngressClass", ingressclass_printer()},
      {"Lease", lease_printer()},
      {"EndpointSlice", endpointslice_printer()},
  };
  static const Printer fallback = default_printer();
  auto it = printers.find(kind);
  return it == printers.end() ? fallback : it->second;
}

}  // namespace tables

bool wants_table(const std::string& accept_header) {
  return accepts_media_type_with(accept_header, "meta.k8s.io", "Table", {"v1", "v1beta1"});
}

IncludeObject parse_include_object(const std::string& value) {
  if (value.empty() || value == "Metadata") return IncludeObject::Metadata;
  if (value == "Object") return IncludeObject::Object;
  if (value == "None") return IncludeObject::None;
  throw api::bad_request("invalid includeObject \"" + value +
                         "\": must be one of None, Metadata, Object");
}

Json make_table(const api::ResourceInfo& resource, const std::vector<Json>& objects,
                const std::string& resource_version, IncludeObject include,
                std::chrono::system_clock::time_point now, bool with_column_definitions) {
  const auto& printer = tables::printer_for(resource.kind);
  Json rows = Json::array();
  for (const auto& object : objects) {
    Json row = {{"cells", printer.row(object, now)}};
    Json embedded = row_object(resource, object, include);
    if (!embedded.is_null()) row["object"] = std::move(embedded);
    rows.push_back(std::move(row));
  }
  Json metadata = Json::object();
  if (!resource_version.empty()) metadata["resourceVersion"] = resource_version;
  return Json{{"kind", "Table"},
              {"apiVersion", "meta.k8s.io/v1"},
              {"metadata", std::move(metadata)},
              {"columnDefinitions",
               with_column_definitions ? column_definitions(printer.columns) : Json(nullptr)},
              {"rows", std::move(rows)}};
}

}  // namespace skiff::apiserver
