#include "server/encryption/encryption_config.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>

#include "pkg/api/base64.h"
#include "pkg/api/time.h"
#include "pkg/pki/pki.h"
#include "pkg/util/files.h"
#include "server/encryption/aes_gcm.h"

namespace skiff::encryption {
namespace {

constexpr const char* kApiVersion = "apiserver.config.k8s.io/v1";
constexpr const char* kKind = "EncryptionConfiguration";

[[noreturn]] void fail(const std::string& source, const std::string& message) {
  throw EncryptionConfigError(source + ": " + message);
}

const Json& member(const Json& object, const char* name, const std::string& where,
                   const std::string& source) {
  auto it = object.find(name);
  if (it == object.end()) fail(source, where + "." + name + " is missing");
  return *it;
}

bool valid_key_name(const std::string& name) {
  if (name.empty()) return false;
  for (unsigned char c : name)
    if (c <= ' ' || c >= 0x7f) return false;  // printable ASCII, no spaces
  return true;
}

void parse_aesgcm(const Json& aesgcm, const std::string& where, const std::string& source,
                  EncryptionConfig& config, std::set<std::string>& names) {
  if (!aesgcm.is_object()) fail(source, where + " must be an object");
  const Json& keys = member(aesgcm, "keys", where, source);
  if (!keys.is_array() || keys.empty()) fail(source, where + ".keys must be a non-empty list");
  for (size_t i = 0; i < keys.size(); ++i) {
    const std::string at = where + ".keys[" + std::to_string(i) + "]";
    const Json& key = keys[i];
    if (!key.is_object()) fail(source, at + " must be an object");
    const Json& name = member(key, "name", at, source);
    const Json& secret = member(key, "secret", at, source);
    if (!name.is_string() || !valid_key_name(name.get<std::string>()))
      fail(source, at + ".name must be a non-empty name of printable characters without spaces");
    if (!secret.is_string()) fail(source, at + ".secret must be a base64 string");
    const std::string key_name = name.get<std::string>();
    if (!names.insert(key_name).second)
      fail(source, at + ": key name \"" + key_name + "\" is used twice");
    auto bytes = api::base64_decode(secret.get<std::string>());
    if (!bytes) fail(source, at + ".secret (key \"" + key_name + "\") is not valid base64");
    if (bytes->size() != kAesKeySize)
      fail(source, at + ".secret (key \"" + key_name +
                       "\") must decode to 32 bytes (AES-256), got " +
                       std::to_string(bytes->size()));
    config.keys.push_back({key_name, std::move(*bytes)});
  }
}

void parse_providers(const Json& providers, const std::string& where, const std::string& source,
                     EncryptionConfig& config) {
  if (!providers.is_array() || providers.empty()) fail(source, where + " must be a non-empty list");
  std::set<std::string> names;
  for (size_t i = 0; i < providers.size(); ++i) {
    const std::string at = where + "[" + std::to_string(i) + "]";
    const Json& provider = providers[i];
    if (!provider.is_object() || provider.size() != 1)
      fail(source, at + " must name exactly one provider (aesgcm or identity)");
    const std::string type = provider.begin().key();
    if (type == "aesgcm") {
      parse_aesgcm(provider.begin().value(), at + ".aesgcm", source, config, names);
    } else if (type == "identity") {
      if (i == 0)
        fail(source, at + ": identity first would store secrets in plaintext; skiff needs "
                          "aesgcm first (turn encryption off by starting without "
                          "--secrets-encryption instead)");
    } else {
      fail(source,
           at + ": provider \"" + type + "\" is not supported by skiff (only aesgcm and identity)");
    }
  }
}

}  // namespace

std::string encryption_config_path(const std::string& data_dir) {
  return (std::filesystem::path(data_dir) / "server" / "cred" / "encryption-config.json").string();
}

EncryptionConfig parse_encryption_config(const Json& document, const std::string& source) {
  if (!document.is_object()) fail(source, "must be a JSON object (an EncryptionConfiguration)");
  if (document.value("apiVersion", Json()) != kApiVersion)
    fail(source, std::string("apiVersion must be ") + kApiVersion);
  if (document.value("kind", Json()) != kKind) fail(source, std::string("kind must be ") + kKind);
  const Json& resources = member(document, "resources", "", source);
  if (!resources.is_array() || resources.empty())
    fail(source, ".resources must be a non-empty list");

  EncryptionConfig config;
  bool secrets_seen = false;
  for (size_t i = 0; i < resources.size(); ++i) {
    const std::string at = ".resources[" + std::to_string(i) + "]";
    const Json& entry = resources[i];
    if (!entry.is_object()) fail(source, at + " must be an object");
    const Json& names = member(entry, "resources", at, source);
    if (!names.is_array() || names.empty())
      fail(source, at + ".resources must be a non-empty list");
    for (const Json& name : names) {
      if (name != "secrets")
        fail(source, at + ".resources: skiff encrypts only \"secrets\", not " + name.dump());
    }
    if (secrets_seen) fail(source, at + ": secrets are configured twice");
    secrets_seen = true;
    parse_providers(member(entry, "providers", at, source), at + ".providers", source, config);
  }
  if (config.keys.empty()) fail(source, "no aesgcm key for secrets");
  return config;
}

Json encryption_config_json(const EncryptionConfig& config) {
  Json keys = Json::array();
  for (const auto& key : config.keys)
    keys.push_back({{"name", key.name}, {"secret", api::base64_encode(key.secret)}});
  Json providers = Json::array();
  providers.push_back({{"aesgcm", {{"keys", std::move(keys)}}}});
  providers.push_back({{"identity", Json::object()}});
  Json resources = Json::array();
  resources.push_back({{"resources", Json::array({"secrets"})}, {"providers", providers}});
  return {{"apiVersion", kApiVersion}, {"kind", kKind}, {"resources", std::move(resources)}};
}

EncryptionConfig load_encryption_config(const std::string& path) {
  auto text = util::read_file(path);
  if (!text) fail(path, std::string("cannot read: ") + std::strerror(errno));
  Json document;
  try {
    document = Json::parse(*text);
  } catch (const Json::parse_error& error) {
    fail(path, std::string("not valid JSON: ") + error.what());
  }
  return parse_encryption_config(document, path);
}

void save_encryption_config(const std::string& path, const EncryptionConfig& config) {
  if (config.keys.empty()) fail(path, "refusing to write a configuration without keys");
  try {
    pki::write_file(path, encryption_config_json(config).dump(2) + "\n", 0600);
  } catch (const pki::PkiError& e) {
    throw EncryptionConfigError(e.what());
  }
}

EncryptionConfig load_or_create_encryption_config(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) return load_encryption_config(path);
  if (ec) fail(path, "cannot check: " + ec.message());
  EncryptionConfig config;
  config.keys.push_back(generate_encryption_key({}));
  save_encryption_config(path, config);
  return config;
}

EncryptionKey generate_encryption_key(const std::vector<EncryptionKey>& existing,
                                      std::chrono::system_clock::time_point now) {
  const std::string base = "aesgcmkey-" + api::format_rfc3339(now);
  auto taken = [&](const std::string& name) {
    for (const auto& key : existing)
      if (key.name == name) return true;
    return false;
  };
  std::string name = base;
  for (int n = 2; taken(name); ++n) name = base + "-" + std::to_string(n);
  return {name, random_bytes(kAesKeySize)};
}

}  // namespace skiff::encryption
