#pragma once
// A fixed pool of read-only connections with their prepared statements. WAL mode lets them
// read concurrently with each other and with the writer; each list runs in one read
// transaction so its items and its revision come from the same snapshot (and the volatile
// overlay of that same point).
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "server/store/sqlite/connection.h"
#include "server/store/sqlite/volatile_overlay.h"
#include "server/store/store.h"

namespace skiff::store::sqlite {

class ReadPool {
 public:
  // The database and its schema must already exist (the writer creates them).
  ReadPool(const std::string& path, size_t connections);
  ~ReadPool();

  // The database's value of `key` (the caller consults the overlay first).
  ObjectPtr get(const std::string& key);
  // The database snapshot with `overlay`'s volatile values on top; the revision is the store
  // revision that combination shows (see volatile_overlay.h).
  ListResult list(const ListOptions& options, const VolatileOverlay& overlay);

 private:
  struct Reader;
  class Lease;
  std::unique_ptr<Reader> acquire();
  void release(std::unique_ptr<Reader> reader);

  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Reader>> idle_;
};

}  // namespace skiff::store::sqlite
