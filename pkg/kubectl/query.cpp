#include "pkg/kubectl/query.h"

#include "pkg/kubectl/encoding.h"

namespace skiff::kubectl {

std::string query_string(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out;
  for (const auto& [key, value] : params) {
    if (value.empty()) continue;
    out += (out.empty() ? "?" : "&") + key + "=" + url_encode(value);
  }
  return out;
}

}  // namespace skiff::kubectl
