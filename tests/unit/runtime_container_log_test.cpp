// CRI log files as podman's k8s-file driver writes them: records, partial lines, tail, since,
// follow, and the text `kubectl logs` prints.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "agent/runtime/container_log.h"
#include "pkg/api/time.h"

namespace skiff::agent::runtime {
namespace {

namespace fs = std::filesystem;

class LogFile {
 public:
  LogFile() {
    std::string pattern = (fs::temp_directory_path() / "skiff-log-XXXXXX").string();
    const int fd = mkstemp(pattern.data());
    if (fd >= 0) close(fd);
    path_ = pattern;
  }
  ~LogFile() {
    std::error_code ignored;
    fs::remove(path_, ignored);
  }
  void append(const std::string& text) {
    std::ofstream out(path_, std::ios::app | std::ios::binary);
    out << text;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::vector<std::string> read_texts(const std::string& path, const LogOptions& options,
                                    const std::function<bool()>& still_writing = {}) {
  std::vector<std::string> texts;
  read_cri_log_file(
      path, options,
      [&](const LogLine& line) {
        texts.push_back(line.text);
        return true;
      },
      still_writing);
  return texts;
}

std::string record(int second, const char* stream, const char* tag, const std::string& text) {
  char timestamp[64];
  snprintf(timestamp, sizeof timestamp, "2026-11-26T12:00:%02d.000000001+00:00", second);
  return std::string(timestamp) + " " + stream + " " + tag + " " + text + "\n";
}

TEST(ContainerLog, ParsesRecords) {
  auto record = parse_cri_log_record("2026-11-26T12:16:43.725451469+00:00 stdout F only-entry");
  ASSERT_TRUE(record);
  EXPECT_EQ(record->timestamp, "2026-11-26T12:16:43.725451469+00:00");
  EXPECT_EQ(record->stream, LogStream::Stdout);
  EXPECT_FALSE(record->partial);
  EXPECT_EQ(record->text, "only-entry");

  auto partial = parse_cri_log_record("2026-11-26T12:16:43Z stderr P:x with  two spaces ");
  ASSERT_TRUE(partial);
  EXPECT_EQ(partial->stream, LogStream::Stderr);
  EXPECT_TRUE(partial->partial);
  EXPECT_EQ(partial->text, "with  two spaces ");

  auto empty_line = parse_cri_log_record("2026-11-26T12:16:43Z stdout F ");
  ASSERT_TRUE(empty_line);
  EXPECT_EQ(empty_line->text, "");

  EXPECT_FALSE(parse_cri_log_record(""));
  EXPECT_FALSE(parse_cri_log_record("hello world"));
  EXPECT_FALSE(parse_cri_log_record("2026-11-26T12:16:43Z stdin F x"));
  EXPECT_FALSE(parse_cri_log_record("2026-11-26T12:16:43Z stdout X x"));
}

TEST(ContainerLog, AssemblerJoinsPartialFragmentsPerStream) {
  LogLineAssembler assembler;
  EXPECT_FALSE(assembler.add("2026-11-26T12:00:01Z stdout P abc"));
  auto interleaved = assembler.add("2026-11-26T12:00:02Z stderr F oops");
  ASSERT_TRUE(interleaved);
  EXPECT_EQ(interleaved->text, "oops");
  EXPECT_EQ(interleaved->stream, LogStream::Stderr);
  auto joined = assembler.add("2026-11-26T12:00:03Z stdout F def");
  ASSERT_TRUE(joined);
  EXPECT_EQ(joined->text, "abcdef");
  EXPECT_EQ(joined->timestamp, "2026-11-26T12:00:01Z");  // the line began then
  EXPECT_EQ(joined->time, *api::parse_rfc3339("2026-11-26T12:00:01Z"));
  EXPECT_FALSE(assembler.add("garbage"));
}

TEST(ContainerLog, ReadsAWholeFile) {
  LogFile file;
  file.append(record(1, "stdout", "F", "one") + record(2, "stderr", "F", "two") +
              record(3, "stdout", "P", "thr") + record(4, "stdout", "F", "ee"));
  EXPECT_EQ(read_texts(file.path(), {}), (std::vector<std::string>{"one", "two", "three"}));
}

TEST(ContainerLog, TailCountsWholeLinesFromTheEnd) {
  LogFile file;
  file.append(record(1, "stdout", "F", "one") + record(2, "stdout", "F", "two") +
              record(3, "stdout", "P", "thr") + record(4, "stdout", "F", "ee") +
              record(5, "stdout", "F", "four"));
  LogOptions options;
  options.tail_lines = 2;
  EXPECT_EQ(read_texts(file.path(), options), (std::vector<std::string>{"three", "four"}));
  options.tail_lines = 1;
  EXPECT_EQ(read_texts(file.path(), options), (std::vector<std::string>{"four"}));
  options.tail_lines = 0;
  EXPECT_TRUE(read_texts(file.path(), options).empty());
  options.tail_lines = 100;
  EXPECT_EQ(read_texts(file.path(), options).size(), 4u);
}

TEST(ContainerLog, TailOfAFileLargerThanOneReadBlock) {
  LogFile file;
  std::string content;
  for (int i = 0; i < 5000; ++i)
    content += "2026-11-26T12:00:00.000000001+00:00 stdout F line-" + std::to_string(i) + "\n";
  file.append(content);  // ~230 KB: several 64 KB blocks
  LogOptions options;
  options.tail_lines = 3;
  EXPECT_EQ(read_texts(file.path(), options),
            (std::vector<std::string>{"line-4997", "line-4998", "line-4999"}));
  options.tail_lines = 2000;
  auto texts = read_texts(file.path(), options);
  ASSERT_EQ(texts.size(), 2000u);
  EXPECT_EQ(texts.front(), "line-3000");
}

TEST(ContainerLog, SinceDropsOlderLines) {
  LogFile file;
  file.append(record(1, "stdout", "F", "old") + record(5, "stdout", "F", "new") +
              record(9, "stdout", "F", "newer"));
  LogOptions options;
  options.since = *api::parse_rfc3339("2026-11-26T12:00:05Z");
  EXPECT_EQ(read_texts(file.path(), options), (std::vector<std::string>{"new", "newer"}));
}

TEST(ContainerLog, SinkCanStopTheRead) {
  LogFile file;
  file.append(record(1, "stdout", "F", "a") + record(2, "stdout", "F", "b"));
  int seen = 0;
  read_cri_log_file(file.path(), {}, [&](const LogLine&) { return ++seen < 1; });
  EXPECT_EQ(seen, 1);
}

TEST(ContainerLog, MissingFileReadsAsEmpty) {
  EXPECT_TRUE(read_texts("/nonexistent/skiff/log/file.log", {}).empty());
}

TEST(ContainerLog, FollowReadsWhatIsWrittenUntilTheWriterStops) {
  LogFile file;
  file.append(record(1, "stdout", "F", "before"));
  std::atomic<bool> writing{true};
  std::thread writer([&] {
    file.append(record(2, "stdout", "P", "half-"));
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    file.append(record(3, "stdout", "F", "done") + record(4, "stdout", "F", "after"));
    writing = false;
  });
  LogOptions options;
  options.follow = true;
  options.poll_interval = std::chrono::milliseconds(5);
  auto texts = read_texts(file.path(), options, [&] { return writing.load(); });
  writer.join();
  EXPECT_EQ(texts, (std::vector<std::string>{"before", "half-done", "after"}));
}

TEST(ContainerLog, FollowEndsWhenCancelled) {
  LogFile file;
  file.append(record(1, "stdout", "F", "x"));
  LogOptions options;
  options.follow = true;
  options.poll_interval = std::chrono::milliseconds(5);
  int polls = 0;
  options.cancelled = [&] { return ++polls > 3; };
  auto texts = read_texts(file.path(), options, [] { return true; });  // writer never ends
  EXPECT_EQ(texts, std::vector<std::string>{"x"});
}

TEST(ContainerLog, SelectLinesForInMemoryLogs) {
  std::vector<LogLine> lines(4);
  for (int i = 0; i < 4; ++i) {
    lines[i].text = "l" + std::to_string(i);
    lines[i].time = TimePoint(std::chrono::seconds(100 + i));
  }
  LogOptions options;
  options.tail_lines = 3;
  options.since = TimePoint(std::chrono::seconds(102));
  auto selected = select_log_lines(lines, options);
  ASSERT_EQ(selected.size(), 2u);
  EXPECT_EQ(selected[0].text, "l2");
  options.tail_lines = -1;
  options.since.reset();
  EXPECT_TRUE(select_log_lines(lines, options).empty());
}

TEST(ContainerLog, FormatsAsKubectlPrints) {
  LogLine line;
  line.timestamp = "2026-11-26T12:16:43.725451469+00:00";
  line.text = "hello";
  EXPECT_EQ(format_log_line(line, false), "hello\n");
  EXPECT_EQ(format_log_line(line, true), "2026-11-26T12:16:43.725451469+00:00 hello\n");
}

}  // namespace
}  // namespace skiff::agent::runtime
