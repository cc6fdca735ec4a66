// `get -w`: the initial listing, then one row (or object) per watch event, aligned with the
// widths of what was already printed (kubectl's tabwriter remembers widths the same way).
#include <map>
#include <ostream>

#include "pkg/kubectl/errors.h"
#include "pkg/kubectl/get_support.h"
#include "pkg/kubectl/json_access.h"
#include "pkg/kubectl/query.h"
#include "pkg/kubectl/table_printer.h"
#include "pkg/kubectl/tabwriter.h"

namespace skiff::kubectl {
namespace {

std::string resource_version_of(const Json& response) {
  std::string rv =
      response.value("metadata", Json::object()).value("resourceVersion", std::string());
  if (rv.empty() && response.contains("rows") && response["rows"].size() == 1)
    rv = response["rows"][0]
             .value("object", Json::object())
             .value("metadata", Json::object())
             .value("resourceVersion", std::string());
  return rv;
}

std::string object_key(const Json& object) {
  const Json& metadata = object.value("metadata", Json::object());
  return metadata.value("namespace", std::string()) + "/" + metadata.value("name", std::string());
}

class WatchPrinter {
 public:
  WatchPrinter(Context& ctx, const GetRequest& request, const std::string& ns,
               const WatchOptions& options)
      : ctx_(ctx), request_(request), ns_(ns), options_(options) {
    table_options_.wide = options.output.format == OutputSpec::Format::Wide;
    table_options_.with_namespace = options.all_namespaces && request.type.namespaced;
    table_options_.show_labels = options.show_labels;
  }

  void print_table(const Json& received) {
    // Watch events after the first may carry rows without columnDefinitions (as Kubernetes
    // sends them): use the columns seen before.
    Json table = received;
    const Json& columns = member(received, "columnDefinitions");
    if (columns.is_array() && !columns.empty())
      columns_ = columns;
    else
      table["columnDefinitions"] = columns_;
    auto rows = table_rows(table, table_options_);
    if (rows.empty()) return;
    if (!header_printed_ && !options_.no_headers) {
      std::vector<Row> all{table_header(table, table_options_)};
      all.insert(all.end(), rows.begin(), rows.end());
      // Size columns over header + rows once, then keep those widths for later events.
      align_rows(all, kTableStyle, &widths_);
      ctx_.out << pad_row(all[0], kTableStyle, widths_);
    }
    header_printed_ = true;
    for (const auto& row : rows) ctx_.out << pad_row(row, kTableStyle, widths_);
    ctx_.out.flush();
  }

  void print_object(const Json& object) {
    if (options_.output.format == OutputSpec::Format::Yaml && printed_objects_ > 0)
      ctx_.out << "---\n";
    ctx_.out << render(with_type(object, request_.type), options_.output);
    ++printed_objects_;
    ctx_.out.flush();
  }

  // One watch event; false to stop.
  bool on_event(const Json& event) {
    std::string type = event.value("type", std::string());
    const Json& object = event.value("object", Json::object());
    if (type == "ERROR") {
      ctx_.err << "error: " << object.value("message", std::string("watch failed")) << "\n";
      failed_ = true;
      return false;
    }
    if (type.empty() || type == "BOOKMARK") return true;
    if (!options_.output.human()) {
      print_object(object);
      return true;
    }
    if (object.value("kind", "") == "Table") {
      remember_rows(object);
      print_table(object);
      return true;
    }
    Json table;
    std::string key = object_key(object);
    if (type != "DELETED") {
      try {
        const Json& metadata = object.value("metadata", Json::object());
        table = as_table(ctx_.api().get(
            request_.type.object_path(metadata.value("namespace", ns_), metadata.value("name", "")),
            "get " + request_.type.qualified(), kAcceptTable));
      } catch (const ServerError&) {
        table = Json();
      }
    } else if (auto it = last_rows_.find(key); it != last_rows_.end()) {
      table = it->second;
    }
    if (table.is_null()) table = table_from_objects({object});
    remember_rows(table);
    print_table(table);
    return true;
  }

  bool failed() const { return failed_; }

 private:
  void remember_rows(const Json& table) {
    for (const auto& row : table.value("rows", Json::array())) {
      Json single = table;
      single["rows"] = Json::array({row});
      last_rows_[object_key(row.value("object", Json::object()))] = single;
    }
  }

  Context& ctx_;
  const GetRequest& request_;
  std::string ns_;
  WatchOptions options_;
  TableOptions table_options_;
  std::vector<std::size_t> widths_;
  bool header_printed_ = false;
  int printed_objects_ = 0;
  bool failed_ = false;
  std::map<std::string, Json> last_rows_;
  Json columns_ = Json::array();
};

}  // namespace

int watch_resources(Context& ctx, const GetRequest& request, const std::string& ns,
                    const ListOptions& list, const WatchOptions& options) {
  if (request.names.size() > 1)
    throw usage_error(
        "watch is only supported on individual resources and resource collections, but 2 or more "
        "resources were found");
  ListOptions effective = list;
  if (request.names.size() == 1) {
    std::string by_name = "metadata.name=" + request.names[0];
    effective.field_selector =
        effective.field_selector.empty() ? by_name : effective.field_selector + "," + by_name;
  }
  std::string query = query_string(
      {{"labelSelector", effective.label_selector}, {"fieldSelector", effective.field_selector}});
  WatchPrinter printer(ctx, request, ns, options);
  const auto& type = request.type;
  Json initial = ctx.api().get(type.collection_path(ns) + query, "get " + type.qualified(),
                               options.output.human() ? kAcceptTable : kAcceptJson);
  std::string rv = resource_version_of(initial);
  if (!options.watch_only) {
    if (options.output.human()) {
      printer.print_table(as_table(initial));
    } else {
      for (const auto& item : initial.value("items", Json::array())) printer.print_object(item);
    }
  }
  std::string watch_query = query_string({{"watch", "true"},
                                          {"resourceVersion", rv},
                                          {"labelSelector", effective.label_selector},
                                          {"fieldSelector", effective.field_selector}});
  ctx.api().watch(type.collection_path(ns) + watch_query,
                  options.output.human() ? kAcceptTable : kAcceptJson,
                  [&](const Json& event) { return printer.on_event(event); });
  return printer.failed() ? 1 : 0;
}

}  // namespace skiff::kubectl
