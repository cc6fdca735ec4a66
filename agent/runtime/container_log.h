#pragma once
// Container log files in the CRI format, which podman's k8s-file driver (and containerd) write:
//   2026-11-26T12:16:43.725451469+00:00 stdout F the line's text
// one record per line: RFC 3339 time, stream, tag ("F" full line, "P" a fragment of a longer
// line, continued by the next record of the same stream), then the text.
//
// Reading is the same for every runtime, so it lives here rather than in podman/. Not handled:
// rotated files (the runtime writes one file per container instance).
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/runtime/runtime.h"

namespace skiff::agent::runtime {

struct CriLogRecord {
  std::string_view timestamp;
  LogStream stream = LogStream::Stdout;
  bool partial = false;
  std::string_view text;
};

// One record (without its newline); none when the line is not in the CRI format.
std::optional<CriLogRecord> parse_cri_log_record(std::string_view line);

// Joins partial records into whole lines, per stream. Feed physical lines in file order.
class LogLineAssembler {
 public:
  // Returns the whole line this record completes, if any. Malformed records are dropped.
  std::optional<LogLine> add(std::string_view physical_line);

 private:
  struct Pending {
    std::string timestamp;
    std::string text;
  };
  std::optional<Pending> pending_[2];  // indexed by LogStream
};

// Whole lines of `lines` that LogOptions selects (tail, since), for runtimes that keep logs in
// memory (the fake) and for tests.
std::vector<LogLine> select_log_lines(const std::vector<LogLine>& lines, const LogOptions& options);

// Reads the CRI log file at `path` into `sink`, honouring tail, since and follow. While
// following, `still_writing` is asked whenever the file has nothing new; when it says false the
// rest of the file is read and the call returns. A missing file reads as empty (a container that
// never started has no log yet).
void read_cri_log_file(const std::string& path, const LogOptions& options, const LogSink& sink,
                       const std::function<bool()>& still_writing = {});

// The text `kubectl logs` prints for a line: "<timestamp> <text>\n" with timestamps, else
// "<text>\n".
std::string format_log_line(const LogLine& line, bool timestamps);

}  // namespace skiff::agent::runtime
