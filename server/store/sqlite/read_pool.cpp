#include "server/store/sqlite/read_pool.h"

#include "server/store/revision.h"
#include "server/store/sqlite/schema.h"

namespace skiff::store::sqlite {

struct ReadPool::Reader {
  explicit Reader(const std::string& path)
      : db(path, SQLITE_OPEN_READONLY),
        get(db.prepare("SELECT value FROM objects WHERE key = ?1")),
        begin(db.prepare("BEGIN")),
        rollback(db.prepare("ROLLBACK")),
        revision(db.prepare("SELECT revision FROM meta WHERE id = 0")),
        // [inclusive|exclusive lower bound] x [bounded|unbounded above]
        range_from(db.prepare("SELECT key, value FROM objects WHERE key >= ?1 AND key < ?2 "
                              "ORDER BY key")),
        range_after(db.prepare("SELECT key, value FROM objects WHERE key > ?1 AND key < ?2 "
                               "ORDER BY key")),
        open_from(db.prepare("SELECT key, value FROM objects WHERE key >= ?1 ORDER BY key")),
        open_after(db.prepare("SELECT key, value FROM objects WHERE key > ?1 ORDER BY key")) {
    db.set_busy_timeout(kBusyTimeoutMs);
    // No memory map: in WAL mode SQLite unmaps a connection's whole map at the start of every
    // read transaction that finds the database changed since its last one, so under writes
    // each read paid an munmap (a TLB shootdown on every core), an mmap and a page fault per
    // page it touched. Reads that miss the watch window while the writer is busy (bindings of
    // pods written long ago) took 29% of the server's CPU that way; pread through SQLite's
    // page cache costs a few system calls instead, and the same when nothing is written.
    db.exec("PRAGMA mmap_size = 0");
  }

  Database db;
  Statement get, begin, rollback, revision;
  Statement range_from, range_after, open_from, open_after;
};

ReadPool::ReadPool(const std::string& path, size_t connections) {
  for (size_t i = 0; i < std::max<size_t>(connections, 1); ++i) {
    idle_.push_back(std::make_unique<Reader>(path));
  }
}

ReadPool::~ReadPool() = default;

// Returns the reader to the pool however the read ends.
class ReadPool::Lease {
 public:
  explicit Lease(ReadPool& pool) : pool_(pool), reader_(pool.acquire()) {}
  ~Lease() { pool_.release(std::move(reader_)); }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  Reader* operator->() const { return reader_.get(); }

 private:
  ReadPool& pool_;
  std::unique_ptr<Reader> reader_;
};

std::unique_ptr<ReadPool::Reader> ReadPool::acquire() {
  std::unique_lock lock(mutex_);
  available_.wait(lock, [&] { return !idle_.empty(); });
  auto reader = std::move(idle_.back());
  idle_.pop_back();
  return reader;
}

void ReadPool::release(std::unique_ptr<Reader> reader) {
  {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(reader));
  }
  available_.notify_one();
}

ObjectPtr ReadPool::get(const std::string& key) {
  Lease reader(*this);
  Statement& get = reader->get;
  ResetOnExit reset(get);
  get.bind_text(1, key);
  if (!get.step()) return nullptr;
  return std::make_shared<const Json>(parse_value(get.column_blob(0)));
}

ListResult ReadPool::list(const ListOptions& options, const VolatileOverlay& overlay) {
  Lease reader(*this);
  // Read-only, so ending with ROLLBACK is the same as COMMIT and cannot fail half-way.
  struct EndTransaction {
    Statement& rollback;
    ~EndTransaction() {
      try {
        rollback.run();
      } catch (...) {  // nothing to undo; the next BEGIN reports a broken connection
      }
      rollback.reset();
    }
  };

  const bool after = options.start_after_key >= options.prefix;
  const std::string& lower = after ? options.start_after_key : options.prefix;
  const auto upper = prefix_upper_bound(options.prefix);
  // One read transaction: the meta revision and the rows come from the same snapshot, and the
  // overlay is taken at the same point (else, rarely, once more with a fresh snapshot).
  for (;;) {
    reader->begin.run();
    reader->begin.reset();
    EndTransaction end{reader->rollback};

    int64_t snapshot_revision = 0;
    {
      ResetOnExit reset(reader->revision);
      if (reader->revision.step()) snapshot_revision = reader->revision.column_int(0);
    }
    auto view = overlay.view(snapshot_revision, lower, after, upper);
    if (!view) continue;

    ListResult result;
    result.revision = view->revision;
    Statement& scan = upper ? (after ? reader->range_after : reader->range_from)
                            : (after ? reader->open_after : reader->open_from);
    ResetOnExit reset(scan);
    scan.bind_text(1, lower);
    if (upper) scan.bind_text(2, *upper);
    while (scan.step()) {
      ObjectPtr object;
      if (!view->entries.empty()) {
        auto entry = view->entries.find(scan.column_text(0));
        if (entry != view->entries.end()) object = entry->second.object;
      }
      if (!object) object = std::make_shared<const Json>(parse_value(scan.column_blob(1)));
      if (options.filter && !options.filter(*object)) continue;
      if (options.limit != 0 && result.items.size() == options.limit) {
        result.more = true;  // another matching item exists beyond this page
        break;
      }
      result.items.push_back(std::move(object));
      result.last_key = std::string(scan.column_text(0));
    }
    return result;
  }
}

}  // namespace skiff::store::sqlite
