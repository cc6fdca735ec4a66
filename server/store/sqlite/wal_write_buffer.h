#pragma once
// Gathers the writer connection's WAL appends into one write per commit.
//
// SQLite writes each WAL frame as two calls (a 24-byte frame header, then the page), so a
// batch that touches 12 pages costs 24 pwrite(2) calls. On a small VM a system call's entry
// alone costs about a microsecond, and the kernel's per-call work (file lookup, inode lock,
// timestamps) as much again: those calls were a third of the writer thread's time under a
// stream of creates. This VFS sits over SQLite's default one for ONE connection (the store's
// writer) and buffers contiguous WAL writes in memory; they reach the file:
//  - when a commit frame's page is written: the frame header of a commit record carries the
//    database size (non-zero only there), so the write after it ends the transaction's
//    frames. The flush happens inside that xWrite, so a failure (disk full) fails the commit
//    the ordinary way and nothing is acknowledged;
//  - before anything else touches the WAL file (a read, sync, truncate, size query, close),
//    and before a non-contiguous write, so SQLite always sees its own writes in order;
//  - as a safety net, before the connection publishes a commit to other connections through
//    the shared-memory WAL index (xShmBarrier / xShmLock on the database file): readers and
//    the checkpointer find frames only through that index, so they never read past the file.
// Process crashes lose nothing acknowledged: SQLite acknowledges a commit after all of the
// above, and an unflushed buffer is only ever a transaction that was not committed yet (WAL
// recovery ignores frames after the last valid commit, as for any crash mid-transaction).
//
// Each instance registers its own uniquely named VFS, so the connection that uses it is the
// only one whose WAL it sees (no cross-thread state). It must outlive that connection.
#include <sqlite3.h>

#include <cstdint>
#include <string>

namespace skiff::store::sqlite {

class WalWriteBuffer {
 public:
  WalWriteBuffer();
  ~WalWriteBuffer();
  WalWriteBuffer(const WalWriteBuffer&) = delete;
  WalWriteBuffer& operator=(const WalWriteBuffer&) = delete;

  // The name to open the writer connection with (sqlite3_open_v2's zVfs).
  const char* vfs_name() const { return name_.c_str(); }

  // What reached the WAL file: write calls made, and the writes SQLite asked for. For tests
  // and benchmarks.
  struct Counters {
    int64_t file_writes = 0;
    int64_t requested_writes = 0;
  };
  Counters counters() const { return counters_; }

  // Implementation details, named here for SQLite's C callbacks.
  struct File;
  static WalWriteBuffer& of(sqlite3_vfs* vfs) {
    return *static_cast<WalWriteBuffer*>(vfs->pAppData);
  }
  sqlite3_vfs* base_vfs() const { return base_; }
  // Writes what the open WAL file has buffered (SQLITE_OK when nothing is).
  int flush_wal();

 private:
  static int open(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* file, int flags,
                  int* out_flags);

  std::string name_;
  sqlite3_vfs* base_ = nullptr;
  sqlite3_vfs vfs_{};
  File* wal_ = nullptr;  // the connection's WAL file while it is open
  Counters counters_;
};

}  // namespace skiff::store::sqlite
