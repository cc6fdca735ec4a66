#pragma once
// The objects whose latest write was volatile (Store::update_volatile): held in memory only,
// on top of the database, so that lease renewals and node heartbeats cost no disk write.
//
// Ownership: the Writer is the only thread that changes the overlay; readers (get/list on any
// thread) see it together with the database.
//
// Consistency: the Writer publishes each batch here (its overlay changes, the revision it wrote
// to the database's meta row = the "durable revision", and the store revision after the batch)
// in one step, after the batch's COMMIT. A list reads a database snapshot first and then asks
// view() with the snapshot's meta revision: when it equals the published durable revision, no
// durable commit lies between the snapshot and the overlay, so snapshot + overlay is exactly
// the store as of the published store revision. Otherwise the reader takes a fresh snapshot
// (a commit landed in the microseconds between the two reads; it cannot keep happening).
//
// An entry exists only for a key whose row is in the database (a volatile write needs an
// existing object) and is dropped when a durable write or delete of that key commits.
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "server/store/store.h"

namespace skiff::store::sqlite {

struct VolatileEntry {
  ObjectPtr object;  // stamped with `revision`
  int64_t revision = 0;
};

// What one writer batch does to the overlay, applied only once the batch is done: a value means
// the key's latest write is this volatile one; nullopt means a durable write or delete of the
// key replaced its volatile value.
using OverlayChanges = std::map<std::string, std::optional<VolatileEntry>>;

class VolatileOverlay {
 public:
  // As the store opens: the database's meta revision, and the store revision (they differ when
  // a reservation for volatile revisions was in force, see sqlite_store.h).
  VolatileOverlay(int64_t durable_revision, int64_t store_revision);
  VolatileOverlay(const VolatileOverlay&) = delete;
  VolatileOverlay& operator=(const VolatileOverlay&) = delete;

  // The volatile value of `key`, if its latest write was volatile.
  std::optional<VolatileEntry> find(const std::string& key) const;

  struct View {
    std::map<std::string, VolatileEntry, std::less<>> entries;  // keys in the requested range
    int64_t revision = 0;  // the store revision that snapshot + entries show
  };
  // For a reader holding a database snapshot whose meta revision is `snapshot_revision`: the
  // entries with keys in the range (from `lower`, inclusive unless `after`, up to `upper`
  // exclusive when given) and the revision of the combined view. nullopt when the snapshot
  // and the overlay are from different points: read a fresh snapshot and ask again.
  std::optional<View> view(int64_t snapshot_revision, const std::string& lower, bool after,
                           const std::optional<std::string>& upper) const;

  // Writer only: applies a finished batch (see the consistency note above).
  void publish(OverlayChanges changes, int64_t durable_revision, int64_t store_revision);
  // Writer only: every entry, for the flush on a clean close.
  std::vector<std::pair<std::string, VolatileEntry>> entries() const;
  int64_t durable_revision() const;
  bool empty() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, VolatileEntry> entries_;
  int64_t durable_revision_;
  int64_t store_revision_;
};

}  // namespace skiff::store::sqlite
