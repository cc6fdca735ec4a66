#pragma once
// Writes a set of files (a ConfigMap's or Secret's projection) into a directory so that a reader
// sees the old set or the new set, never a mix, and a changed object reaches a running container
// through its bind mount. The layout is the kubelet's:
//
//   <dir>/..2026_11_26_13_00_00.a1b2c3/    the files of one version (with sub-directories)
//   <dir>/..data -> ..2026_11_26_13_00_00.a1b2c3
//   <dir>/<name> -> ..data/<name>          one link per top-level name
//
// An update writes a new version directory, swaps `..data` with one rename, fixes the top-level
// links and removes the old version. Nothing is written when content and modes are unchanged
// (periodic refreshes must not wear an SD card).
#include <filesystem>
#include <map>
#include <string>

namespace skiff::agent::pods {

struct FileProjection {
  std::string data;
  int mode = 0644;
};

// Relative path ("a.conf", "sub/b.conf") -> content. Paths are checked by the caller (no "..").
using Payload = std::map<std::string, FileProjection>;

// Returns whether anything was written. Throws std::filesystem::filesystem_error or
// std::runtime_error on I/O failure; the previous version stays in place then.
bool write_atomically(const std::filesystem::path& dir, const Payload& payload);

}  // namespace skiff::agent::pods
