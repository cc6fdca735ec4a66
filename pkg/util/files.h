#pragma once
// Reading a whole (small) file: /proc entries, manifests, projected volume files.
#include <optional>
#include <string>

namespace skiff::util {

// The file's bytes, or none when it cannot be opened.
std::optional<std::string> read_file(const std::string& path);

}  // namespace skiff::util
