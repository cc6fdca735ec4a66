#pragma once
// Internal to the table printer: one column set and row function per kind, mirroring the
// columns kube-apiserver's printers produce (pkg/printers/internalversion in Kubernetes).
#include <chrono>
#include <string>
#include <vector>

#include "pkg/api/json.h"

namespace skiff::apiserver::tables {

using TimePoint = std::chrono::system_clock::time_point;

struct Column {
  std::string name;
  std::string type;  // "string", "integer", "date"
  std::string format;
  std::string description;
  int priority = 0;  // > 0: only with `-o wide`
};

// Cells of one row, in column order, for one object.
using RowFunction = Json (*)(const Json& object, TimePoint now);

struct Printer {
  std::vector<Column> columns;
  RowFunction row;
};

// The printer for a kind; the generic Name/Created At printer for kinds without one.
const Printer& printer_for(const std::string& kind);

// Printers per kind, each defined in the tables_<area>.cpp file that owns it.
Printer pod_printer();
Printer deployment_printer();
Printer replicaset_printer();
Printer node_printer();
Printer service_printer();
Printer endpoints_printer();
Printer namespace_printer();
Printer configmap_printer();
Printer secret_printer();
Printer serviceaccount_printer();
Printer event_printer();
Printer ingress_printer();
Printer ingressclass_printer();
Printer lease_printer();
Printer endpointslice_printer();
Printer default_printer();

// Helpers shared by the row functions.
Column name_column();
Column age_column();
// A string field at a JSON pointer-ish path ("spec.nodeName"), or `fallback` when absent.
std::string string_at(const Json& object, const std::string& dotted_path,
                      const std::string& fallback = "");
// An integer field at a dotted path, or `fallback` when absent or not a number.
long long int_at(const Json& object, const std::string& dotted_path, long long fallback = 0);
// The JSON node at a dotted path, or null when any step is missing.
const Json& node_at(const Json& object, const std::string& dotted_path);
std::string object_name(const Json& object);
std::string object_age(const Json& object, TimePoint now);
// "a=b,c=d" for a string map; `empty` when the map is absent or empty.
std::string join_map(const Json& map, const std::string& empty = "<none>");
std::string join(const std::vector<std::string>& parts, const std::string& separator);
// "a,b,c + 2 more..." for lists longer than `max`; `empty` when there is nothing.
std::string list_with_more(const std::vector<std::string>& items, size_t total, size_t max,
                           const std::string& empty);
// Containers and images of a pod spec, comma-joined (the wide Containers/Images columns).
std::string container_names(const Json& pod_spec);
std::string container_images(const Json& pod_spec);
// A metav1.LabelSelector as kubectl prints it: "app=web,tier in (a,b)"; "<none>" when absent.
std::string label_selector_string(const Json& selector);

}  // namespace skiff::apiserver::tables
