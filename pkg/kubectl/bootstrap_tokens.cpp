#include "pkg/kubectl/bootstrap_tokens.h"

#include <cctype>

#include "pkg/api/bootstrap_token_secret.h"
#include "pkg/api/time.h"
#include "pkg/pki/join_token.h"

namespace skiff::kubectl {
namespace {

// Beyond this an expiration no longer formats as a four-digit-year RFC 3339 time for long.
constexpr std::chrono::hours kLongestTtl{24 * 365 * 100};

bool is_token_id(const std::string& text) {
  if (text.size() != 6) return false;
  for (char c : text)
    if (!(std::islower(static_cast<unsigned char>(c)) ||
          std::isdigit(static_cast<unsigned char>(c))))
      return false;
  return true;
}

std::string join(const std::vector<std::string>& parts, const char* separator) {
  std::string joined;
  for (const auto& part : parts) joined += (joined.empty() ? "" : separator) + part;
  return joined;
}

}  // namespace

std::optional<std::chrono::seconds> parse_token_ttl(const std::string& text, std::string& error) {
  const std::string bad = "invalid --ttl \"" + text +
                          "\": use a duration like 24h, 1h30m or 45m (0: the token never expires)";
  if (text == "0") return std::chrono::seconds(0);
  if (text.empty()) {
    error = bad;
    return std::nullopt;
  }
  double total = 0;  // seconds
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
      ++i;
    std::string number = text.substr(start, i - start);
    if (number.empty() || number == "." || number.find('.') != number.rfind('.') ||
        i == text.size()) {
      error = bad;
      return std::nullopt;
    }
    double unit;
    if (text[i] == 'h')
      unit = 3600;
    else if (text[i] == 'm')
      unit = 60;
    else if (text[i] == 's')
      unit = 1;
    else {
      error = bad;
      return std::nullopt;
    }
    ++i;
    total += std::stod(number) * unit;
    if (total > std::chrono::seconds(kLongestTtl).count()) {
      error = "invalid --ttl \"" + text + "\": at most 876000h (100 years); 0 never expires";
      return std::nullopt;
    }
  }
  if (total != static_cast<double>(static_cast<long long>(total))) {
    error = "invalid --ttl \"" + text + "\": use whole seconds";
    return std::nullopt;
  }
  return std::chrono::seconds(static_cast<long long>(total));
}

Json new_token_secret(const std::string& id, const std::string& secret, std::chrono::seconds ttl,
                      const std::string& description, TokenClock::time_point now) {
  api::BootstrapTokenSecret token;
  token.id = id;
  token.secret = secret;
  if (ttl.count() > 0)
    token.expiration = std::chrono::time_point_cast<std::chrono::seconds>(now) + ttl;
  token.usages = {"authentication"};
  token.description = description;
  return api::bootstrap_token_secret_json(token);
}

std::vector<std::vector<std::string>> token_table_rows(const Json& secrets,
                                                       TokenClock::time_point now) {
  std::vector<std::vector<std::string>> rows = {
      {"TOKEN", "TTL", "EXPIRES", "USAGES", "DESCRIPTION"}};
  if (!secrets.is_array()) return rows;
  for (const Json& secret : secrets) {
    if (secret.value("type", "") != api::kBootstrapTokenSecretType) continue;
    std::string error;
    auto token = api::read_bootstrap_token_secret(secret, error);
    if (!token) {
      std::string name = secret.value("metadata", Json::object()).value("name", "");
      std::string prefix = api::kBootstrapTokenNamePrefix;
      if (name.rfind(prefix, 0) == 0) name = name.substr(prefix.size());
      rows.push_back({name, "<invalid>", "<invalid>", "", error});
      continue;
    }
    std::string ttl = "<forever>";
    std::string expires = "<never>";
    if (token->expiration) {
      expires = api::format_rfc3339(*token->expiration);
      if (*token->expiration <= now)
        ttl = "<expired>";
      else
        ttl = api::human_duration(
            std::chrono::duration_cast<std::chrono::seconds>(*token->expiration - now));
    }
    rows.push_back({token->id, ttl, expires,
                    token->usages.empty() ? "<none>" : join(token->usages, ","),
                    token->description.empty() ? "<none>" : token->description});
  }
  return rows;
}

std::optional<std::string> token_id_from_argument(const std::string& argument) {
  if (is_token_id(argument)) return argument;
  if (auto token = pki::parse_bootstrap_token(argument)) return token->id;
  if (argument.rfind("K10", 0) == 0) {
    if (auto join = pki::parse_join_token(argument))
      if (auto token = pki::parse_bootstrap_token(join->credential)) return token->id;
  }
  return std::nullopt;
}

}  // namespace skiff::kubectl
