#include "pkg/api/bootstrap_token_secret.h"

#include <algorithm>

#include "pkg/api/base64.h"
#include "pkg/api/time.h"

namespace skiff::api {
namespace {

constexpr std::string_view kUsagePrefix = "usage-bootstrap-";

// The decoded value of data[key]; none when absent. Throws std::invalid_argument naming the
// key (never the value) when it is not a base64 string.
std::optional<std::string> data_value(const Json& data, const std::string& key) {
  auto it = data.find(key);
  if (it == data.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) throw std::invalid_argument("data." + key + " is not a string");
  auto decoded = base64_decode(it->get<std::string>());
  if (!decoded) throw std::invalid_argument("data." + key + " is not base64");
  return decoded;
}

}  // namespace

std::string bootstrap_token_secret_name(std::string_view id) {
  return kBootstrapTokenNamePrefix + std::string(id);
}

bool BootstrapTokenSecret::usable_for(std::string_view usage) const {
  return std::find(usages.begin(), usages.end(), usage) != usages.end();
}

Json bootstrap_token_secret_json(const BootstrapTokenSecret& token) {
  Json data = Json::object();
  data["token-id"] = base64_encode(token.id);
  data["token-secret"] = base64_encode(token.secret);
  if (token.expiration) data["expiration"] = base64_encode(format_rfc3339(*token.expiration));
  for (const auto& usage : token.usages)
    data[std::string(kUsagePrefix) + usage] = base64_encode("true");
  if (!token.description.empty()) data["description"] = base64_encode(token.description);
  return Json{
      {"apiVersion", "v1"},
      {"kind", "Secret"},
      {"metadata",
       {{"name", bootstrap_token_secret_name(token.id)}, {"namespace", kBootstrapTokenNamespace}}},
      {"type", kBootstrapTokenSecretType},
      {"data", std::move(data)}};
}

std::optional<BootstrapTokenSecret> read_bootstrap_token_secret(const Json& secret,
                                                                std::string& error) {
  auto type = secret.find("type");
  if (type == secret.end() || !type->is_string() || *type != kBootstrapTokenSecretType) {
    error = "the Secret's type is not " + std::string(kBootstrapTokenSecretType);
    return std::nullopt;
  }
  auto data = secret.find("data");
  if (data == secret.end() || !data->is_object()) {
    error = "the Secret has no data";
    return std::nullopt;
  }
  try {
    BootstrapTokenSecret token;
    auto id = data_value(*data, "token-id");
    auto token_secret = data_value(*data, "token-secret");
    if (!id || id->empty()) throw std::invalid_argument("data.token-id is missing");
    if (!token_secret || token_secret->empty())
      throw std::invalid_argument("data.token-secret is missing");
    token.id = std::move(*id);
    token.secret = std::move(*token_secret);
    if (auto expiration = data_value(*data, "expiration")) {
      token.expiration = parse_rfc3339(*expiration);
      if (!token.expiration) throw std::invalid_argument("data.expiration is not an RFC 3339 time");
    }
    for (const auto& [key, value] : data->items()) {
      if (key.rfind(kUsagePrefix, 0) != 0) continue;
      if (data_value(*data, key) == "true") token.usages.push_back(key.substr(kUsagePrefix.size()));
    }
    token.description = data_value(*data, "description").value_or("");
    return token;
  } catch (const std::invalid_argument& e) {
    error = e.what();
    return std::nullopt;
  }
}

}  // namespace skiff::api
