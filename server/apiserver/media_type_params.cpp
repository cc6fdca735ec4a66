#include "server/apiserver/media_type_params.h"

#include <algorithm>
#include <cctype>
#include <string_view>

namespace skiff::apiserver {

namespace {

std::string trim(std::string_view text) {
  size_t begin = 0, end = text.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(text[begin]))) ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
  return std::string(text.substr(begin, end - begin));
}

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t next = text.find(separator, start);
    parts.push_back(trim(text.substr(start, next == std::string_view::npos ? next : next - start)));
    if (next == std::string_view::npos) break;
    start = next + 1;
  }
  return parts;
}

}  // namespace

bool accepts_media_type_with(const std::string& accept_header, const std::string& group,
                             const std::string& as, const std::vector<std::string>& versions) {
  for (const auto& media_range : split(accept_header, ',')) {
    auto parts = split(media_range, ';');
    if (parts.empty()) continue;
    std::string type = parts[0];
    std::transform(type.begin(), type.end(), type.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    if (type != "application/json" && type != "*/*" && type != "application/*") continue;
    std::string g, a, v;
    for (size_t i = 1; i < parts.size(); ++i) {
      auto eq = parts[i].find('=');
      if (eq == std::string::npos) continue;
      auto key = trim(std::string_view(parts[i]).substr(0, eq));
      auto value = trim(std::string_view(parts[i]).substr(eq + 1));
      if (key == "g") g = value;
      if (key == "as") a = value;
      if (key == "v") v = value;
    }
    if (g == group && a == as && std::find(versions.begin(), versions.end(), v) != versions.end())
      return true;
  }
  return false;
}

}  // namespace skiff::apiserver
