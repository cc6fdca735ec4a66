// Store benchmark: creates/s (1 and 16 writer threads, ~1 KiB objects), gets/s, and watch
// delivery latency, for SQLite (synchronous FULL and NORMAL) and the memory store.
//
//   store_bench [seconds-per-measurement (default 2)] [dir (default: a temp dir)]
//               [wal checkpoint bytes (default: the store's)]
//
// Watch latency is measured from the moment a write is issued to the moment the watcher's
// callback runs. Both backends publish before the write returns, so "ack -> callback" would
// be negative; the write's own latency is reported next to it.
#include <stdlib.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "server/store/memory_store.h"
#include "server/store/sqlite/sqlite_store.h"

namespace {

using namespace skiff;
using namespace skiff::store;
using Clock = std::chrono::steady_clock;

Json object_of_about_1kib(const std::string& name) {
  return Json{{"apiVersion", "v1"},
              {"kind", "ConfigMap"},
              {"metadata", {{"name", name}, {"namespace", "bench"}, {"labels", {{"app", "x"}}}}},
              {"data", {{"payload", std::string(900, 'p')}}}};
}

struct Throughput {
  double per_second = 0;
  size_t total = 0;
  double cpu_us_per_op = 0;  // process CPU time (all threads) per op: robust to a busy machine
};

double process_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& tv) { return tv.tv_sec + tv.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// Runs `threads` loops of `op(thread, i)` for `seconds`; returns ops/s.
template <typename Op>
Throughput run_for(int threads, double seconds, Op op) {
  std::atomic<size_t> total{0};
  const double cpu_start = process_cpu_seconds();
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::duration<double>(seconds);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      size_t i = 0;
      while (Clock::now() < deadline) op(t, i++);
      total += i;
    });
  }
  for (auto& w : workers) w.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  const double cpu = process_cpu_seconds() - cpu_start;
  return {total / elapsed, total.load(), cpu * 1e6 / std::max<size_t>(total.load(), 1)};
}

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, static_cast<size_t>(p * values.size()))];
}

struct Row {
  std::string backend;
  double creates_1 = 0, creates_16 = 0, gets = 0, cpu_us_per_create_16 = 0;
  double watch_p50_us = 0, watch_p99_us = 0, write_p50_us = 0;
};

Row measure(const std::string& name, const std::function<StorePtr()>& open, double seconds) {
  Row row{name};
  auto store = open();
  auto one = run_for(1, seconds, [&](int t, size_t i) {
    std::string key = "/registry/bench/one/" + std::to_string(i);
    store->create(key, object_of_about_1kib(key));
  });
  row.creates_1 = one.per_second;
  auto sixteen = run_for(16, seconds, [&](int t, size_t i) {
    std::string key = "/registry/bench/many/" + std::to_string(t) + "-" + std::to_string(i);
    store->create(key, object_of_about_1kib(key));
  });
  row.creates_16 = sixteen.per_second;
  row.cpu_us_per_create_16 = sixteen.cpu_us_per_op;

  std::vector<std::string> keys;
  for (size_t i = 0; i < std::min<size_t>(one.total, 1000); ++i) {
    keys.push_back("/registry/bench/one/" + std::to_string(i));
  }
  row.gets = run_for(4, seconds, [&](int t, size_t i) {
               if (!store->get(keys[(i * 7 + t) % keys.size()])) std::abort();
             }).per_second;

  // Watch latency: one writer, one watcher; issue time per revision -> callback time.
  std::mutex mutex;
  std::unordered_map<int64_t, Clock::time_point> issued;
  std::vector<double> watch_us, write_us;
  std::vector<std::pair<int64_t, Clock::time_point>> received;
  received.reserve(1 << 20);
  auto watch = store->watch("/registry/bench/watch/", 0, [&](const std::vector<EventPtr>& es) {
    const auto now = Clock::now();
    for (const auto& e : es) received.emplace_back(e->revision, now);  // only this thread
    return true;
  });
  run_for(1, seconds, [&](int, size_t i) {
    std::string key = "/registry/bench/watch/" + std::to_string(i);
    const auto start = Clock::now();
    auto object = store->create(key, object_of_about_1kib(key));
    const auto done = Clock::now();
    write_us.push_back(std::chrono::duration<double, std::micro>(done - start).count());
    issued[std::stoll(object->at("metadata").at("resourceVersion").get<std::string>())] = start;
  });
  watch->stop();
  for (const auto& [revision, at] : received) {
    auto it = issued.find(revision);
    if (it != issued.end()) {
      watch_us.push_back(std::chrono::duration<double, std::micro>(at - it->second).count());
    }
  }
  row.watch_p50_us = percentile(watch_us, 0.50);
  row.watch_p99_us = percentile(watch_us, 0.99);
  row.write_p50_us = percentile(write_us, 0.50);
  return row;
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::stod(argv[1]) : 2.0;
  std::string dir;
  if (argc > 2 && *argv[2] != '\0') {
    dir = argv[2];
  } else {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "skiff-store-bench-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) return 1;
    dir = pattern;
  }
  const size_t checkpoint_bytes = argc > 3 ? std::stoul(argv[3]) : 0;
  auto sqlite = [&](SqliteStoreOptions::Synchronous sync, const std::string& file) {
    return [&dir, sync, file, checkpoint_bytes] {
      SqliteStoreOptions options;
      if (checkpoint_bytes > 0) options.wal_checkpoint_bytes = checkpoint_bytes;
      options.path = dir + "/" + file;
      options.synchronous = sync;
      return open_sqlite_store(options);
    };
  };
  std::vector<Row> rows;
  rows.push_back(
      measure("sqlite FULL", sqlite(SqliteStoreOptions::Synchronous::Full, "full.db"), seconds));
  rows.push_back(measure("sqlite NORMAL",
                         sqlite(SqliteStoreOptions::Synchronous::Normal, "normal.db"), seconds));
  rows.push_back(measure(
      "memory", [] { return make_memory_store(); }, seconds));
  if (argc <= 2 || std::string(argv[2]).empty()) std::filesystem::remove_all(dir);

  std::printf("%-14s %12s %13s %14s %10s %13s %13s %13s\n", "backend", "creates/s 1t",
              "creates/s 16t", "cpu us/create", "gets/s 4t", "watch p50 us", "watch p99 us",
              "write p50 us");
  for (const auto& r : rows) {
    std::printf("%-14s %12.0f %13.0f %14.1f %10.0f %13.0f %13.0f %13.0f\n", r.backend.c_str(),
                r.creates_1, r.creates_16, r.cpu_us_per_create_16, r.gets, r.watch_p50_us,
                r.watch_p99_us, r.write_p50_us);
  }
  return 0;
}
