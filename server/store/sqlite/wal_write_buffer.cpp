#include "server/store/sqlite/wal_write_buffer.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <stdexcept>

namespace skiff::store::sqlite {
namespace {

// A WAL frame header: page number, database size after the commit (zero unless this frame
// ends a transaction), two salts, two checksums; all big-endian 32-bit.
constexpr int kFrameHeaderBytes = 24;
constexpr size_t kMaxPendingBytes = 4 << 20;  // a huge transaction is written in pieces
constexpr size_t kKeptCapacity = 1 << 20;     // more than a usual batch is given back
// The unix VFS writes at most 128 KiB - 1 per call (it masks the length to 17 bits; SQLite
// itself never writes more than a 64 KiB page at once).
constexpr size_t kMaxWriteBytes = 124 << 10;

uint32_t big_endian_u32(const unsigned char* bytes) {
  return uint32_t{bytes[0]} << 24 | uint32_t{bytes[1]} << 16 | uint32_t{bytes[2]} << 8 |
         uint32_t{bytes[3]};
}

bool is_commit_frame_header(const void* data, int amount) {
  return amount == kFrameHeaderBytes &&
         big_endian_u32(static_cast<const unsigned char*>(data) + 4) != 0;
}

constexpr size_t aligned(size_t size) {
  return (size + 15) & ~size_t{15};
}

}  // namespace

// What SQLite holds for each file the connection opens: our state, then (in the same block,
// sized by szOsFile) the default VFS's file.
struct WalWriteBuffer::File {
  sqlite3_file file{};  // first, so SQLite's sqlite3_file* is this object
  sqlite3_file* real = nullptr;
  WalWriteBuffer* owner = nullptr;
  std::string pending;  // contiguous bytes not yet written, starting at pending_offset
  sqlite3_int64 pending_offset = 0;
  bool commit_page_next = false;

  static File& of(sqlite3_file* file) { return *reinterpret_cast<File*>(file); }
  const sqlite3_io_methods& methods() const { return *real->pMethods; }

  int flush() {
    if (pending.empty()) return SQLITE_OK;
    int rc = SQLITE_OK;
    for (size_t done = 0; done < pending.size() && rc == SQLITE_OK; done += kMaxWriteBytes) {
      ++owner->counters_.file_writes;
      const size_t piece = std::min(kMaxWriteBytes, pending.size() - done);
      rc = methods().xWrite(real, pending.data() + done, static_cast<int>(piece),
                            pending_offset + static_cast<sqlite3_int64>(done));
    }
    pending.clear();
    if (pending.capacity() > kKeptCapacity) std::string().swap(pending);
    return rc;
  }

  int write(const void* data, int amount, sqlite3_int64 offset) {
    ++owner->counters_.requested_writes;
    if (!pending.empty() && offset != pending_offset + static_cast<sqlite3_int64>(pending.size())) {
      if (const int rc = flush(); rc != SQLITE_OK) return rc;
    }
    if (pending.empty()) pending_offset = offset;
    pending.append(static_cast<const char*>(data), static_cast<size_t>(amount));
    const bool ends_commit = commit_page_next;
    commit_page_next = is_commit_frame_header(data, amount);
    if (ends_commit || pending.size() >= kMaxPendingBytes) return flush();
    return SQLITE_OK;
  }

  // Closes the WAL file and ends this object (SQLite frees the memory).
  int close_wal() {
    const int flushed = flush();
    const int closed = methods().xClose(real);
    if (owner->wal_ == this) owner->wal_ = nullptr;
    std::destroy_at(this);
    return flushed != SQLITE_OK ? flushed : closed;
  }
};

namespace {

using File = WalWriteBuffer::File;
using Methods = sqlite3_io_methods;

// Calls the default VFS's method on the wrapped file.
template <auto Method, typename... Args>
auto pass(sqlite3_file* file, Args... args) {
  File& shim = File::of(file);
  return (shim.methods().*Method)(shim.real, args...);
}

// The same, after `flush` (this file's or the connection's WAL buffer) succeeded.
template <int (*Flush)(sqlite3_file*), auto Method, typename... Args>
int flush_then(sqlite3_file* file, Args... args) {
  if (const int rc = Flush(file); rc != SQLITE_OK) return rc;
  return pass<Method>(file, args...);
}

int flush_own(sqlite3_file* file) {
  return File::of(file).flush();
}
int flush_connections_wal(sqlite3_file* file) {
  return File::of(file).owner->flush_wal();
}

int close_other(sqlite3_file* file) {
  const int rc = pass<&Methods::xClose>(file);
  std::destroy_at(&File::of(file));
  return rc;
}

void barrier_after_flush(sqlite3_file* file) {
  // Nothing can be reported from here, and going on would let other connections read frames
  // that are not in the file. Unreachable unless a commit's frames were not recognised and
  // their write then failed; the commit is not acknowledged yet, so stopping loses nothing
  // that was.
  if (flush_connections_wal(file) != SQLITE_OK) {
    std::fputs("skiff: cannot write the SQLite WAL; stopping before a commit is published\n",
               stderr);
    std::abort();
  }
  pass<&Methods::xShmBarrier>(file);
}

// The database file (and any other file but the WAL): everything goes straight through, but
// the connection's buffered WAL writes are flushed before it publishes or releases anything
// through the shared-memory index.
constexpr auto kFlushWal = &flush_connections_wal;
const Methods kPassThrough = {
    3,
    &close_other,
    &pass<&Methods::xRead, void*, int, sqlite3_int64>,
    &pass<&Methods::xWrite, const void*, int, sqlite3_int64>,
    &pass<&Methods::xTruncate, sqlite3_int64>,
    &pass<&Methods::xSync, int>,
    &pass<&Methods::xFileSize, sqlite3_int64*>,
    &pass<&Methods::xLock, int>,
    &pass<&Methods::xUnlock, int>,
    &pass<&Methods::xCheckReservedLock, int*>,
    &pass<&Methods::xFileControl, int, void*>,
    &pass<&Methods::xSectorSize>,
    &pass<&Methods::xDeviceCharacteristics>,
    &pass<&Methods::xShmMap, int, int, int, void volatile**>,
    &flush_then<kFlushWal, &Methods::xShmLock, int, int, int>,
    &barrier_after_flush,
    &flush_then<kFlushWal, &Methods::xShmUnmap, int>,
    &pass<&Methods::xFetch, sqlite3_int64, int, void**>,
    &pass<&Methods::xUnfetch, sqlite3_int64, void*>,
};

// The WAL file: writes are gathered (File::write); every other use sees them first.
constexpr auto kFlushOwn = &flush_own;
const Methods kWal = {
    3,
    [](sqlite3_file* file) { return File::of(file).close_wal(); },
    &flush_then<kFlushOwn, &Methods::xRead, void*, int, sqlite3_int64>,
    [](sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
      return File::of(file).write(data, amount, offset);
    },
    &flush_then<kFlushOwn, &Methods::xTruncate, sqlite3_int64>,
    &flush_then<kFlushOwn, &Methods::xSync, int>,
    &flush_then<kFlushOwn, &Methods::xFileSize, sqlite3_int64*>,
    &flush_then<kFlushOwn, &Methods::xLock, int>,
    &flush_then<kFlushOwn, &Methods::xUnlock, int>,
    &flush_then<kFlushOwn, &Methods::xCheckReservedLock, int*>,
    &flush_then<kFlushOwn, &Methods::xFileControl, int, void*>,
    &pass<&Methods::xSectorSize>,
    &pass<&Methods::xDeviceCharacteristics>,
    &flush_then<kFlushOwn, &Methods::xShmMap, int, int, int, void volatile**>,
    &flush_then<kFlushOwn, &Methods::xShmLock, int, int, int>,
    &pass<&Methods::xShmBarrier>,
    &flush_then<kFlushOwn, &Methods::xShmUnmap, int>,
    &flush_then<kFlushOwn, &Methods::xFetch, sqlite3_int64, int, void**>,
    &pass<&Methods::xUnfetch, sqlite3_int64, void*>,
};

sqlite3_vfs* base_of(sqlite3_vfs* vfs) {
  return WalWriteBuffer::of(vfs).base_vfs();
}

}  // namespace

WalWriteBuffer::WalWriteBuffer() {
  static std::atomic<int> instances{0};
  name_ = "skiff-wal-buffer-" + std::to_string(instances++);
  base_ = sqlite3_vfs_find(nullptr);
  if (base_ == nullptr) throw std::runtime_error("sqlite has no default VFS");
  // Everything but xOpen is the default VFS's, called with the default VFS.
  vfs_.iVersion = 3;
  vfs_.szOsFile = static_cast<int>(aligned(sizeof(File)) + static_cast<size_t>(base_->szOsFile));
  vfs_.mxPathname = base_->mxPathname;
  vfs_.zName = name_.c_str();
  vfs_.pAppData = this;
  vfs_.xOpen = &WalWriteBuffer::open;
  vfs_.xDelete = [](sqlite3_vfs* v, const char* path, int sync_dir) {
    return base_of(v)->xDelete(base_of(v), path, sync_dir);
  };
  vfs_.xAccess = [](sqlite3_vfs* v, const char* path, int flags, int* out) {
    return base_of(v)->xAccess(base_of(v), path, flags, out);
  };
  vfs_.xFullPathname = [](sqlite3_vfs* v, const char* path, int size, char* out) {
    return base_of(v)->xFullPathname(base_of(v), path, size, out);
  };
  vfs_.xDlOpen = [](sqlite3_vfs* v, const char* path) {
    return base_of(v)->xDlOpen(base_of(v), path);
  };
  vfs_.xDlError = [](sqlite3_vfs* v, int size, char* out) {
    base_of(v)->xDlError(base_of(v), size, out);
  };
  vfs_.xDlSym = [](sqlite3_vfs* v, void* handle, const char* symbol) {
    return base_of(v)->xDlSym(base_of(v), handle, symbol);
  };
  vfs_.xDlClose = [](sqlite3_vfs* v, void* handle) { base_of(v)->xDlClose(base_of(v), handle); };
  vfs_.xRandomness = [](sqlite3_vfs* v, int size, char* out) {
    return base_of(v)->xRandomness(base_of(v), size, out);
  };
  vfs_.xSleep = [](sqlite3_vfs* v, int micros) { return base_of(v)->xSleep(base_of(v), micros); };
  vfs_.xCurrentTime = [](sqlite3_vfs* v, double* out) {
    return base_of(v)->xCurrentTime(base_of(v), out);
  };
  vfs_.xGetLastError = [](sqlite3_vfs* v, int size, char* out) {
    return base_of(v)->xGetLastError(base_of(v), size, out);
  };
  vfs_.xCurrentTimeInt64 = [](sqlite3_vfs* v, sqlite3_int64* out) {
    return base_of(v)->xCurrentTimeInt64(base_of(v), out);
  };
  vfs_.xSetSystemCall = [](sqlite3_vfs* v, const char* name, sqlite3_syscall_ptr call) {
    return base_of(v)->xSetSystemCall(base_of(v), name, call);
  };
  vfs_.xGetSystemCall = [](sqlite3_vfs* v, const char* name) {
    return base_of(v)->xGetSystemCall(base_of(v), name);
  };
  vfs_.xNextSystemCall = [](sqlite3_vfs* v, const char* name) {
    return base_of(v)->xNextSystemCall(base_of(v), name);
  };
  if (base_->iVersion < 3) throw std::runtime_error("sqlite's default VFS is too old");
  if (const int rc = sqlite3_vfs_register(&vfs_, 0); rc != SQLITE_OK) {
    throw std::runtime_error(std::string("cannot register a sqlite VFS: ") + sqlite3_errstr(rc));
  }
}

WalWriteBuffer::~WalWriteBuffer() {
  sqlite3_vfs_unregister(&vfs_);
}

int WalWriteBuffer::flush_wal() {
  return wal_ != nullptr ? wal_->flush() : SQLITE_OK;
}

int WalWriteBuffer::open(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* file, int flags,
                         int* out_flags) {
  WalWriteBuffer& self = of(vfs);
  File& shim = *std::construct_at(reinterpret_cast<File*>(file));
  shim.owner = &self;
  shim.real =
      reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(file) + aligned(sizeof(File)));
  const int rc = self.base_->xOpen(self.base_, name, shim.real, flags, out_flags);
  if (shim.real->pMethods == nullptr) {
    // Not opened: SQLite will not call xClose.
    std::destroy_at(&shim);
    file->pMethods = nullptr;
    return rc;
  }
  // One connection has one WAL; should a second appear, it is simply not buffered.
  const bool buffered = (flags & SQLITE_OPEN_WAL) != 0 && self.wal_ == nullptr;
  if (buffered) self.wal_ = &shim;
  shim.file.pMethods = buffered ? &kWal : &kPassThrough;
  return rc;
}

}  // namespace skiff::store::sqlite
