#pragma once
// The SQLite backend: the single-node durable Store.
//
// Layout: one table with only the CURRENT state of each key (key, revision, create_revision,
// value = compact JSON with resourceVersion stamped) plus a one-row meta table holding the
// store revision (deletes bump it too, so it is written in the same transaction). History for
// watches lives only in the in-memory WatchHub window, as in the Kubernetes watch cache; a
// watch from before the window gets Compacted (410) and the client relists. The file is thus
// bounded by the live data, not by churn, and the WAL is kept small by checkpointing.
//
// Writes go through one writer thread that commits every queued request in one transaction
// (group commit); a write returns only after its transaction committed and its event was
// published. Reads use a small pool of read-only connections (WAL: readers never block the
// writer). After a restart the revision continues from the persisted value and the event
// window starts empty (compacted_revision() == current_revision()).
#include <cstddef>
#include <string>

#include "server/store/store.h"
#include "server/store/watch_hub.h"

namespace skiff::store {

struct SqliteStoreOptions {
  // The database file, e.g. <data-dir>/server/db/state.db. Missing parent directories are
  // created with mode 0700; the file (and its -wal/-shm) with mode 0600.
  std::string path;
  size_t event_window = WatchHub::kDefaultWindowSize;

  // Full: every commit is fsynced; an acknowledged write survives power loss.
  // Normal: in WAL mode commits are not fsynced (only checkpoints are); an acknowledged
  // write survives a process crash (kill -9) but the last commits may be lost on power loss.
  // The default is Full: group commit amortizes the fsync over every write queued while the
  // previous commit was running, so under load Full costs little throughput (see
  // tests/bench/store_bench.cpp), and "acknowledged means durable" is what clients expect.
  enum class Synchronous { Normal, Full };
  Synchronous synchronous = Synchronous::Full;

  size_t read_connections = 4;
  // Most write requests committed in one transaction.
  size_t max_batch = 256;
  // WAL pages after which a passive checkpoint runs (SQLite pages are 4 KiB).
  int wal_checkpoint_pages = 256;
};

// Opens (creating if needed) the database. Throws StoreError{Unavailable} naming the path when
// the file cannot be opened or is not a skiff database.
StorePtr open_sqlite_store(const SqliteStoreOptions& options);

}  // namespace skiff::store
