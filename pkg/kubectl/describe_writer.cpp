#include "pkg/kubectl/describe_writer.h"
#include "pkg/kubectl/json_access.h"

#include <algorithm>
#include <ctime>

#include "pkg/api/time.h"
#include "pkg/kubectl/apply_patch.h"
#include "pkg/kubectl/tabwriter.h"

namespace skiff::kubectl {

void DescribeWriter::line(int level, const std::string& text) {
  text_ += std::string(static_cast<std::size_t>(level) * 2, ' ') + text + "\n";
}

void DescribeWriter::field(int level, const std::string& title, const std::string& value) {
  line(level, title + ":\t" + (value.empty() ? "<none>" : value));
}

void DescribeWriter::map_field(int level, const std::string& title, const Json& map,
                               const char* separator) {
  if (!map.is_object() || map.empty()) {
    field(level, title, "<none>");
    return;
  }
  bool first = true;
  for (const auto& [key, value] : map.items()) {
    std::string pair = key + separator + text_of(value);
    if (first)
      line(level, title + ":\t" + pair);
    else
      line(level, "\t" + pair);
    first = false;
  }
}

void DescribeWriter::annotations(int level, const Json& metadata) {
  Json annotations = metadata.value("annotations", Json::object());
  if (annotations.is_object()) annotations.erase(kLastAppliedAnnotation);
  map_field(level, "Annotations", annotations, ": ");
}

std::string DescribeWriter::str() const {
  return tab_align(text_, kDescribeStyle);
}

std::string text_of(const Json& value) {
  if (value.is_null()) return "";
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

std::string describe_time(const Json& timestamp) {
  if (!timestamp.is_string()) return "<unknown>";
  auto parsed = api::parse_rfc3339(timestamp.get<std::string>());
  if (!parsed) return timestamp.get<std::string>();
  std::time_t t = api::Clock::to_time_t(*parsed);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buf;
}

void write_metadata(DescribeWriter& w, const Json& object, bool with_created) {
  const Json& metadata = object.value("metadata", Json::object());
  w.field(0, "Name", metadata.value("name", ""));
  if (metadata.contains("namespace")) w.field(0, "Namespace", metadata.value("namespace", ""));
  if (with_created)
    w.field(0, "CreationTimestamp", describe_time(metadata.value("creationTimestamp", Json())));
  w.map_field(0, "Labels", metadata.value("labels", Json::object()));
  w.annotations(0, metadata);
}

namespace {

std::string event_time(const Json& event, const char* key) {
  std::string t = event.value(key, Json()).is_string() ? event[key].get<std::string>() : "";
  if (t.empty())
    t = event.value("eventTime", Json()).is_string() ? event["eventTime"].get<std::string>() : "";
  if (t.empty())
    t = event.value("metadata", Json::object()).value("creationTimestamp", std::string());
  return t;
}

}  // namespace

void write_events(DescribeWriter& w, const Json& events) {
  if (events.is_null()) return;
  const Json& list = member(events, "items");
  std::vector<Json> items(list.begin(), list.end());
  if (items.empty()) {
    w.line(0, "Events:\t<none>");
    return;
  }
  std::stable_sort(items.begin(), items.end(), [](const Json& a, const Json& b) {
    return event_time(a, "lastTimestamp") < event_time(b, "lastTimestamp");
  });
  w.line(0, "Events:");
  w.line(1, "Type\tReason\tAge\tFrom\tMessage");
  w.line(1, "----\t------\t----\t----\t-------");
  auto now = api::Clock::now();
  for (const auto& e : items) {
    std::string age = api::age(event_time(e, "lastTimestamp"), now);
    long long count = e.value("count", 1LL);
    if (count > 1)
      age += " (x" + std::to_string(count) + " over " +
             api::age(event_time(e, "firstTimestamp"), now) + ")";
    const Json& source = e.value("source", Json::object());
    std::string from = source.value("component", std::string());
    if (from.empty()) from = e.value("reportingComponent", std::string());
    if (auto host = source.value("host", std::string()); !host.empty()) from += ", " + host;
    std::string message = e.value("message", std::string());
    std::replace(message.begin(), message.end(), '\n', ' ');
    w.line(1, e.value("type", std::string("Normal")) + "\t" + e.value("reason", std::string()) +
                  "\t" + age + "\t" + from + "\t" + message);
  }
}

}  // namespace skiff::kubectl
