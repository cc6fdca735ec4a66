#pragma once
// Building blocks the describers share: a line writer with indentation levels, and the
// formatting of labels, annotations, timestamps and events the way kubectl shows them.
#include <string>

#include "pkg/api/json.h"

namespace skiff::kubectl {

class DescribeWriter {
 public:
  // One line at `level` (2 spaces per level); tabs in `text` separate aligned cells.
  void line(int level, const std::string& text);
  // "Title:\tvalue" (value "<none>" when empty).
  void field(int level, const std::string& title, const std::string& value);
  // Labels or selector maps: "Title:\tk=v", more pairs on following lines.
  void map_field(int level, const std::string& title, const Json& map, const char* separator = "=");
  void annotations(int level, const Json& metadata);
  void blank() { text_ += "\n"; }
  // The aligned report.
  std::string str() const;

 private:
  std::string text_;
};

// "Mon, 02 Jan 2006 15:04:05 +0000" from an RFC 3339 timestamp ("<unknown>" when absent).
std::string describe_time(const Json& timestamp);
std::string text_of(const Json& value);  // strings raw, null -> "", others as JSON
// Name/Namespace/Labels/Annotations (and CreationTimestamp when `with_created`).
void write_metadata(DescribeWriter& w, const Json& object, bool with_created);
// "Events:" section.
void write_events(DescribeWriter& w, const Json& events);

}  // namespace skiff::kubectl
