#include "agent/pods/atomic_writer.h"

#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iterator>
#include <optional>
#include <set>
#include <stdexcept>
#include <vector>
#include "pkg/util/files.h"

namespace skiff::agent::pods {
namespace {

namespace fs = std::filesystem;

constexpr const char* kDataLink = "..data";
constexpr const char* kDataLinkTemp = "..data_tmp";

int mode_of(const fs::path& path) {
  return static_cast<int>(fs::status(path).permissions() & fs::perms::mask);
}

// Every regular file under `version`, by path relative to it.
Payload read_version(const fs::path& version) {
  Payload out;
  for (const auto& entry : fs::recursive_directory_iterator(version)) {
    if (!entry.is_regular_file()) continue;
    out[fs::relative(entry.path(), version).string()] = {
        util::read_file(entry.path().string()).value_or(""), mode_of(entry.path())};
  }
  return out;
}

std::set<std::string> top_level_names(const Payload& payload) {
  std::set<std::string> names;
  for (const auto& [path, file] : payload) names.insert(path.substr(0, path.find('/')));
  return names;
}

bool same(const Payload& a, const Payload& b) {
  if (a.size() != b.size()) return false;
  for (auto i = a.begin(), j = b.begin(); i != a.end(); ++i, ++j)
    if (i->first != j->first || i->second.data != j->second.data ||
        i->second.mode != j->second.mode)
      return false;
  return true;
}

// A fresh "..<UTC time>.<random>" directory inside `dir`.
fs::path make_version_dir(const fs::path& dir) {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "..%Y_%m_%d_%H_%M_%S.", &utc);
  std::string pattern = (dir / (std::string(stamp) + "XXXXXX")).string();
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (!mkdtemp(buffer.data()))
    throw std::runtime_error("cannot create a directory in " + dir.string());
  fs::path version(buffer.data());
  fs::permissions(version, fs::perms(0755));
  return version;
}

void write_version(const fs::path& version, const Payload& payload) {
  for (const auto& [relative, file] : payload) {
    const fs::path path = version / relative;
    fs::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(file.data.data(), static_cast<std::streamsize>(file.data.size()));
    out.close();
    if (!out) throw std::runtime_error("cannot write " + path.string());
    fs::permissions(path, fs::perms(file.mode));
  }
}

}  // namespace

bool write_atomically(const fs::path& dir, const Payload& payload) {
  fs::create_directories(dir);
  const fs::path data_link = dir / kDataLink;
  std::optional<fs::path> old_version;
  if (fs::is_symlink(data_link)) old_version = dir / fs::read_symlink(data_link);

  const std::set<std::string> names = top_level_names(payload);
  if (old_version && fs::is_directory(*old_version) && same(read_version(*old_version), payload)) {
    bool links_complete = true;
    for (const auto& name : names) links_complete &= fs::is_symlink(dir / name);
    if (links_complete) return false;
  }

  const fs::path version = make_version_dir(dir);
  try {
    write_version(version, payload);
    const fs::path temp_link = dir / kDataLinkTemp;
    fs::remove(temp_link);
    fs::create_symlink(version.filename(), temp_link);
    fs::rename(temp_link, data_link);  // the switch readers see, in one step
  } catch (...) {
    fs::remove_all(version);
    throw;
  }

  for (const auto& name : names) {
    const fs::path link = dir / name;
    if (fs::is_symlink(link)) continue;
    fs::remove_all(link);
    fs::create_symlink(fs::path(kDataLink) / name, link);
  }
  // Links to names that are gone, the old version, and versions an interrupted update left.
  std::vector<fs::path> stale;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name == kDataLink || name == version.filename() || names.count(name)) continue;
    if (entry.is_symlink() ? !name.starts_with("..") : name.starts_with(".."))
      stale.push_back(entry.path());
  }
  for (const auto& path : stale) fs::remove_all(path);
  return true;
}

}  // namespace skiff::agent::pods
