#include "agent/runtime/container_log.h"

#include <algorithm>
#include <deque>
#include <fstream>
#include <thread>

#include "pkg/api/time.h"

namespace skiff::agent::runtime {
namespace {

constexpr std::streamoff kBlockSize = 64 * 1024;

std::string_view next_field(std::string_view& rest) {
  size_t space = rest.find(' ');
  if (space == std::string_view::npos) {
    std::string_view field = rest;
    rest = {};
    return field;
  }
  std::string_view field = rest.substr(0, space);
  rest.remove_prefix(space + 1);
  return field;
}

bool wanted(const LogLine& line, const LogOptions& options) {
  return !options.since || line.time >= *options.since;
}

// Offset where the last `count` whole lines of the file start: just past the newline that ends
// the (count+1)-th full record from the end, or 0 when the file has no more than that. A last
// line without its newline is still being written and is not counted.
std::streamoff tail_start(std::ifstream& file, std::streamoff file_size, int64_t count) {
  if (count <= 0) return file_size;
  std::string data;  // bytes [position, file_size)
  std::streamoff position = file_size;
  while (position > 0) {
    const std::streamoff block = std::min(kBlockSize, position);
    position -= block;
    std::string chunk(static_cast<size_t>(block), '\0');
    file.seekg(position);
    file.read(chunk.data(), block);
    data.insert(0, chunk);

    int64_t full_records = 0;
    // Lines are [line_start, line_end) with data[line_end] == '\n'.
    size_t line_end = data.rfind('\n');
    while (line_end != std::string::npos) {
      size_t previous_newline = line_end == 0 ? std::string::npos : data.rfind('\n', line_end - 1);
      if (previous_newline == std::string::npos && position > 0) break;  // not fully read yet
      size_t line_start = previous_newline == std::string::npos ? 0 : previous_newline + 1;
      auto record =
          parse_cri_log_record(std::string_view(data).substr(line_start, line_end - line_start));
      if (record && !record->partial && ++full_records == count + 1)
        return position + static_cast<std::streamoff>(line_end) + 1;
      if (previous_newline == std::string::npos) break;
      line_end = previous_newline;
    }
  }
  return 0;
}

// Reads complete lines from `file` at its current position, feeding them to the sink. Keeps an
// unterminated last line in `remainder`. Returns false when the sink asked to stop.
bool pump(std::ifstream& file, std::string& remainder, LogLineAssembler& assembler,
          const LogOptions& options, const LogSink& sink) {
  std::string chunk(static_cast<size_t>(kBlockSize), '\0');
  while (true) {
    file.read(chunk.data(), kBlockSize);
    const std::streamsize got = file.gcount();
    if (got <= 0) break;
    remainder.append(chunk.data(), static_cast<size_t>(got));
    size_t start = 0;
    for (size_t newline = remainder.find('\n'); newline != std::string::npos;
         newline = remainder.find('\n', start)) {
      auto line = assembler.add(std::string_view(remainder).substr(start, newline - start));
      start = newline + 1;
      if (line && wanted(*line, options) && !sink(*line)) return false;
    }
    remainder.erase(0, start);
  }
  file.clear();  // EOF is not an error for a file that may still grow
  return true;
}

}  // namespace

std::optional<CriLogRecord> parse_cri_log_record(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  std::string_view rest = line;
  CriLogRecord record;
  record.timestamp = next_field(rest);
  std::string_view stream = next_field(rest);
  std::string_view tags = next_field(rest);
  if (record.timestamp.empty() || tags.empty()) return std::nullopt;
  if (stream == "stdout") {
    record.stream = LogStream::Stdout;
  } else if (stream == "stderr") {
    record.stream = LogStream::Stderr;
  } else {
    return std::nullopt;
  }
  // Tags are ':'-separated; the first says full or partial.
  std::string_view first_tag = tags.substr(0, tags.find(':'));
  if (first_tag == "P") {
    record.partial = true;
  } else if (first_tag != "F") {
    return std::nullopt;
  }
  record.text = rest;
  return record;
}

std::optional<LogLine> LogLineAssembler::add(std::string_view physical_line) {
  auto record = parse_cri_log_record(physical_line);
  if (!record) return std::nullopt;
  auto& pending = pending_[record->stream == LogStream::Stdout ? 0 : 1];
  if (!pending) pending = Pending{std::string(record->timestamp), ""};
  pending->text.append(record->text);
  if (record->partial) return std::nullopt;

  LogLine line;
  line.timestamp = std::move(pending->timestamp);
  line.time = api::parse_rfc3339(line.timestamp).value_or(TimePoint{});
  line.stream = record->stream;
  line.text = std::move(pending->text);
  pending.reset();
  return line;
}

std::vector<LogLine> select_log_lines(const std::vector<LogLine>& lines,
                                      const LogOptions& options) {
  size_t first = 0;
  if (options.tail_lines) {
    const auto keep = static_cast<size_t>(std::max<int64_t>(0, *options.tail_lines));
    first = lines.size() > keep ? lines.size() - keep : 0;
  }
  std::vector<LogLine> selected;
  for (size_t i = first; i < lines.size(); ++i)
    if (wanted(lines[i], options)) selected.push_back(lines[i]);
  return selected;
}

void read_cri_log_file(const std::string& path, const LogOptions& options, const LogSink& sink,
                       const std::function<bool()>& still_writing) {
  std::ifstream file;
  // A following reader may start before the runtime has created the file.
  while (true) {
    file.open(path, std::ios::binary);
    if (file) break;
    if (!options.follow || !still_writing || !still_writing()) return;
    if (options.cancelled && options.cancelled()) return;
    std::this_thread::sleep_for(options.poll_interval);
  }

  file.seekg(0, std::ios::end);
  const std::streamoff size = file.tellg();
  const std::streamoff start = options.tail_lines ? tail_start(file, size, *options.tail_lines) : 0;
  file.clear();
  file.seekg(start);

  LogLineAssembler assembler;
  std::string remainder;
  if (!pump(file, remainder, assembler, options, sink)) return;
  while (options.follow) {
    if (options.cancelled && options.cancelled()) return;
    const bool writing = still_writing && still_writing();
    if (!pump(file, remainder, assembler, options, sink)) return;
    if (!writing) break;  // the writer was done before this last read: nothing more will come
    std::this_thread::sleep_for(options.poll_interval);
  }
  if (!remainder.empty()) {  // the writer ended without a newline
    auto line = assembler.add(remainder);
    if (line && wanted(*line, options)) sink(*line);
  }
}

std::string format_log_line(const LogLine& line, bool timestamps) {
  std::string out;
  if (timestamps) {
    out += line.timestamp;
    out += ' ';
  }
  out += line.text;
  out += '\n';
  return out;
}

}  // namespace skiff::agent::runtime
