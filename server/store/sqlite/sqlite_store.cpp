#include "server/store/sqlite/sqlite_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "server/store/sqlite/checkpointer.h"
#include "server/store/sqlite/live_objects.h"
#include "server/store/sqlite/read_pool.h"
#include "server/store/sqlite/schema.h"
#include "server/store/sqlite/volatile_overlay.h"
#include "server/store/sqlite/wal_write_buffer.h"
#include "server/store/sqlite/writer.h"

namespace skiff::store {
namespace {

using sqlite::Database;

[[noreturn]] void throw_errno(const std::string& what, const std::string& path) {
  throw StoreError(StoreError::Code::Unavailable,
                   "cannot " + what + " " + path + ": " + std::strerror(errno));
}

// Creates the missing parent directories of `path` with mode 0700 (the store holds secrets),
// then the file itself with mode 0600 so SQLite's -wal and -shm inherit that mode.
void prepare_file(const std::string& path) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  std::filesystem::path partial;
  for (const auto& part : parent) {
    partial /= part;
    if (::mkdir(partial.c_str(), 0700) != 0 && errno != EEXIST) {
      throw_errno("create directory", partial.string());
    }
  }
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) throw_errno("open database file", path);
  ::close(fd);
}

// The WAL is bounded at this many times the checkpoint threshold (see SqliteStoreOptions).
constexpr int kWalLimitFactor = 4;

int checkpoint_pages(const SqliteStoreOptions& options) {
  return static_cast<int>(std::max<size_t>(options.wal_checkpoint_bytes / sqlite::kPageSize, 4));
}

Database open_writer_connection(const SqliteStoreOptions& options,
                                const sqlite::WalWriteBuffer& wal_buffer) {
  prepare_file(options.path);
  Database db(options.path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, wal_buffer.vfs_name());
  db.set_busy_timeout(sqlite::kBusyTimeoutMs);
  // Takes effect when the file is new (before the tables); an older file is converted to the
  // current layout first, then rebuilt with this page size (which also drops the free pages
  // the conversion left behind).
  db.exec("PRAGMA page_size = " + std::to_string(sqlite::kPageSize));
  sqlite::ensure_schema(db);
  sqlite::ensure_page_size(db);
  if (db.query_text("PRAGMA journal_mode = WAL") != "wal") {
    throw StoreError(StoreError::Code::Unavailable,
                     "sqlite database " + options.path + ": cannot switch to WAL mode");
  }
  db.exec(options.synchronous == SqliteStoreOptions::Synchronous::Full
              ? "PRAGMA synchronous = FULL"
              : "PRAGMA synchronous = NORMAL");
  // A writer cache for the hot b-tree pages (interior pages, the newest leaves), and
  // memory-mapped reads of the db file for the rest. The cache survives WAL restarts now (the
  // writer restarts the WAL itself; a restart by another connection used to empty it), so it
  // is kept to 4 MiB: 16 MiB filled up with cold leaves (+14 MiB RSS after 14,500 objects)
  // without any gain in creates/s.
  db.exec("PRAGMA cache_size = -4096");
  db.exec("PRAGMA mmap_size = 268435456");
  // When the WAL starts over, SQLite truncates a file bigger than this. Set to the bound the
  // checkpointer keeps anyway: a truncate at every restart (a few pages past the checkpoint
  // threshold) stalled the writer for up to 9 ms each time. At rest the file is truncated to
  // zero (sqlite/checkpointer.h).
  db.exec("PRAGMA journal_size_limit = " +
          std::to_string(kWalLimitFactor * options.wal_checkpoint_bytes));
  return db;
}

class SqliteStore : public Store {
 public:
  explicit SqliteStore(const SqliteStoreOptions& options) {
    Database db = open_writer_connection(options, wal_buffer_);
    const sqlite::PersistedRevisions persisted = sqlite::read_revisions(db);
    const int64_t revision = std::max(persisted.revision, persisted.reserved);
    overlay_ = std::make_unique<sqlite::VolatileOverlay>(persisted.revision, revision);
    hub_ = std::make_unique<WatchHub>(options.event_window, revision);
    readers_ = std::make_unique<sqlite::ReadPool>(options.path, options.read_connections);
    checkpointer_ = std::make_unique<sqlite::Checkpointer>(
        options.path, checkpoint_pages(options), kWalLimitFactor * checkpoint_pages(options),
        options.synchronous == SqliteStoreOptions::Synchronous::Full, transaction_gate_);
    checkpointer_->watch(db.get());
    writer_ = std::make_unique<sqlite::Writer>(
        std::move(db), *hub_, *overlay_, live_, persisted, options.max_batch,
        options.revision_reservation_block, transaction_gate_);
  }

  ~SqliteStore() override {
    writer_.reset();  // drain pending writes and flush the overlay before the rest goes away
    readers_.reset();
    // Last: the last read-write connection to close checkpoints and removes the -wal file.
    checkpointer_.reset();
    hub_.reset();
  }

  ObjectPtr create(const std::string& key, Json object) override {
    return writer_->submit(sqlite::WriteRequest::Op::Create, key, std::move(object), 0);
  }
  void create_async(const std::string& key, Json object, WriteDone done) override {
    writer_->submit_async(sqlite::WriteRequest::Op::Create, key, std::move(object), 0,
                          std::move(done));
  }
  ObjectPtr update(const std::string& key, Json object, int64_t expected_revision) override {
    return writer_->submit(sqlite::WriteRequest::Op::Update, key, std::move(object),
                           expected_revision);
  }
  void mutate_async(const std::string& key, Mutation mutate, WriteDone done) override {
    writer_->submit_mutation_async(key, std::move(mutate), std::move(done));
  }
  ObjectPtr update_volatile(const std::string& key, Json object,
                            int64_t expected_revision) override {
    return writer_->submit(sqlite::WriteRequest::Op::UpdateVolatile, key, std::move(object),
                           expected_revision);
  }
  ObjectPtr remove(const std::string& key, int64_t expected_revision) override {
    return writer_->submit(sqlite::WriteRequest::Op::Remove, key, Json(), expected_revision);
  }
  // The overlay first: a volatile value is newer than the database's. Then the watch window,
  // which holds the newest value of every key written lately: the objects clients read right
  // after writing them (a binding reads the pod just created) need no database read. The
  // window is used only when it has caught up with the commits made before the read, so it
  // never answers older than the database would. Then, for a key whose newest change left the
  // window, the object if an informer still holds it (sqlite/live_objects.h). (A miss followed
  // by a database read sees the state of some moment between the two, as any read may.)
  ObjectPtr get(const std::string& key) override {
    if (auto entry = overlay_->find(key)) return entry->object;
    if (auto recent = hub_->newest_in_window(key, writer_->committed_revision())) {
      return recent->type == EventType::Deleted ? nullptr : recent->object;
    }
    if (auto live = live_.find(key)) return std::move(live->object);
    return readers_->get(key);
  }
  ListResult list(const ListOptions& options) override {
    return readers_->list(options, *overlay_);
  }
  int64_t current_revision() override { return writer_->committed_revision(); }
  WatchPtr watch(const std::string& prefix, int64_t from_revision,
                 WatchCallback callback) override {
    return hub_->watch(prefix, from_revision, std::move(callback));
  }
  int64_t compacted_revision() override { return hub_->compacted_revision(); }

 private:
  std::mutex transaction_gate_;  // held by the writer per transaction, see Checkpointer
  // The writer connection's VFS: one write per commit to the WAL (sqlite/wal_write_buffer.h).
  // Declared before writer_: it outlives the writer's connection.
  sqlite::WalWriteBuffer wal_buffer_;
  std::unique_ptr<sqlite::VolatileOverlay> overlay_;  // read by readers_, changed by writer_
  sqlite::LiveObjects live_;                          // recorded by writer_
  std::unique_ptr<WatchHub> hub_;
  std::unique_ptr<sqlite::ReadPool> readers_;
  std::unique_ptr<sqlite::Checkpointer> checkpointer_;  // the writer's WAL hook points here
  std::unique_ptr<sqlite::Writer> writer_;
};

}  // namespace

StorePtr open_sqlite_store(const SqliteStoreOptions& options) {
  if (options.path.empty()) {
    throw StoreError(StoreError::Code::Unavailable, "sqlite store: no database path given");
  }
  return std::make_unique<SqliteStore>(options);
}

}  // namespace skiff::store
