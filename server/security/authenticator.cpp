#include "server/security/authenticator.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "pkg/log/log.h"
#include "pkg/pki/join_token.h"

namespace skiff::security {

namespace {

// One CSV record of the token file: fields separated by commas, a field may be quoted (the
// groups field is, as it contains commas).
std::vector<std::string> csv_fields(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (char c : line) {
    if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

std::string trim(std::string text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  size_t start = 0;
  while (start < text.size() && std::isspace(static_cast<unsigned char>(text[start]))) ++start;
  return text.substr(start);
}

}  // namespace

std::map<std::string, UserInfo> parse_token_file(const std::string& text) {
  std::map<std::string, UserInfo> tokens;
  std::istringstream lines(text);
  std::string line;
  int number = 0;
  while (std::getline(lines, line)) {
    ++number;
    line = trim(line);
    if (line.empty() || line[0] == '#') continue;
    auto fields = csv_fields(line);
    for (auto& field : fields) field = trim(field);
    if (fields.size() < 3 || fields[0].empty() || fields[1].empty())
      throw std::runtime_error("token file line " + std::to_string(number) +
                               ": expected token,user,uid[,\"group1,group2\"]");
    UserInfo user{fields[1], {}};
    if (fields.size() > 3) {
      std::istringstream groups(fields[3]);
      std::string group;
      while (std::getline(groups, group, ','))
        if (!trim(group).empty()) user.groups.push_back(trim(group));
    }
    user.groups.emplace_back(kAuthenticatedGroup);
    if (!tokens.emplace(fields[0], std::move(user)).second)
      throw std::runtime_error("token file line " + std::to_string(number) +
                               ": the token is listed twice");
  }
  return tokens;
}

std::map<std::string, UserInfo> load_token_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read the token file " + path);
  std::stringstream text;
  text << in.rdbuf();
  try {
    return parse_token_file(text.str());
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
}

Authenticator::Authenticator(std::map<std::string, UserInfo> tokens,
                             const NodeIdentities* node_identities)
    : tokens_(std::move(tokens)), node_identities_(node_identities) {}

std::optional<UserInfo> Authenticator::authenticate(const http::Request& request) const {
  if (request.client_identity) {
    UserInfo user{request.client_identity->common_name, request.client_identity->organizations};
    user.groups.emplace_back(kAuthenticatedGroup);
    if (const std::string node = user.node_name(); !node.empty() && node_identities_) {
      if (const std::string why =
              node_identities_->check(node, request.client_identity->not_before);
          !why.empty()) {
        log::warn("node certificate refused", {{"from", request.remote_address}, {"why", why}});
        return std::nullopt;
      }
    }
    return user;
  }
  const std::string authorization = request.header("Authorization");
  if (authorization.empty()) {
    return UserInfo{std::string(kAnonymousUser), {std::string(kUnauthenticatedGroup)}};
  }
  constexpr std::string_view kBearer = "Bearer ";
  if (!authorization.starts_with(kBearer)) return std::nullopt;
  const std::string token = trim(authorization.substr(kBearer.size()));
  // Compare every entry in constant time: the map lookup itself would leak by timing.
  const UserInfo* found = nullptr;
  for (const auto& [known, user] : tokens_)
    if (pki::same_secret(known, token)) found = &user;
  if (!found) return std::nullopt;
  return *found;
}

}  // namespace skiff::security
