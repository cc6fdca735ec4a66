#pragma once
// The fixture of the SQLite store's tests: a store file in a fresh temp dir, its options and
// the size of its files.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <string>

#include "server/store/sqlite/sqlite_store.h"
#include "tests/unit/support/temp_dir.h"

namespace skiff::store::test_support {

inline Json object_named(const std::string& name, size_t payload_bytes = 0) {
  return Json{{"metadata", {{"name", name}}},
              {"data", {{"blob", std::string(payload_bytes, 'x')}}}};
}

class SqliteStoreTest : public testing::Test {
 protected:
  SqliteStoreOptions options(
      SqliteStoreOptions::Synchronous sync = SqliteStoreOptions::Synchronous::Normal) const {
    SqliteStoreOptions o;
    o.path = path();
    o.synchronous = sync;
    return o;
  }
  std::string path() const { return (dir_ / "server" / "db" / "state.db").string(); }
  // The database and WAL files together.
  uintmax_t files_size() const {
    uintmax_t total = 0;
    for (const char* suffix : {"", "-wal"}) {
      std::error_code ec;
      auto size = std::filesystem::file_size(path() + suffix, ec);
      if (!ec) total += size;
    }
    return total;
  }

  skiff::test_support::TempDir temp_{"skiff-sqlite-test"};
  const std::filesystem::path dir_ = temp_.path();
};

}  // namespace skiff::store::test_support
