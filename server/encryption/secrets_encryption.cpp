#include "server/encryption/secrets_encryption.h"

#include "pkg/log/log.h"

namespace skiff::encryption {

SecretsEncryption::SecretsEncryption(EncryptingStore& store, std::string config_path)
    : store_(store), config_path_(std::move(config_path)) {}

void SecretsEncryption::install(const std::vector<EncryptionKey>& keys) {
  // File first: a value is never sealed with a key the file does not hold.
  save_encryption_config(config_path_, EncryptionConfig{keys});
  store_.set_keyring(std::make_shared<const Keyring>(keys));
}

std::vector<std::string> SecretsEncryption::secret_keys() {
  store::ListOptions options;
  options.prefix = store_.prefix();
  std::vector<std::string> keys;
  for (const auto& stored : store_.inner().list(options).items) {
    if (is_envelope(*stored)) {
      keys.push_back((*stored)["key"].get<std::string>());
      continue;
    }
    // Plaintext: the key is the apiserver's <prefix><namespace>/<name>.
    const Json& metadata = stored->value("metadata", Json::object());
    keys.push_back(store_.prefix() + metadata.value("namespace", std::string()) + "/" +
                   metadata.value("name", std::string()));
  }
  return keys;
}

RotationResult SecretsEncryption::rotate_keys() {
  std::lock_guard lock(rotation_mutex_);
  const std::vector<EncryptionKey> old_keys = store_.keyring()->keys();
  RotationResult result;
  EncryptionKey fresh = generate_encryption_key(old_keys);
  result.new_key = fresh.name;

  std::vector<EncryptionKey> staged{std::move(fresh)};
  staged.insert(staged.end(), old_keys.begin(), old_keys.end());
  install(staged);
  log::info("secrets encryption: new key in use, re-encrypting", {{"key", result.new_key}});

  for (const auto& key : secret_keys()) {
    ++result.secrets;
    if (store_.reencrypt(key)) ++result.reencrypted;
  }

  // Anything still on an old key (or plaintext) means a key above was wrong: keep the old
  // keys rather than strand a value.
  const EncryptionStatus after = status();
  const size_t current = after.by_key.count(result.new_key) ? after.by_key.at(result.new_key) : 0;
  if (current != after.secrets) {
    throw std::runtime_error(
        "rotation incomplete: " + std::to_string(after.secrets - current) + " of " +
        std::to_string(after.secrets) + " secrets are not encrypted with " + result.new_key +
        "; the old keys are kept in " + config_path_ + " (run rotate-keys again)");
  }
  install({staged.front()});
  for (const auto& key : old_keys) result.removed_keys.push_back(key.name);
  log::info("secrets encryption: keys rotated", {{"key", result.new_key},
                                                 {"secrets", result.secrets},
                                                 {"reencrypted", result.reencrypted},
                                                 {"removed_keys", result.removed_keys.size()}});
  return result;
}

EncryptionStatus SecretsEncryption::status() {
  EncryptionStatus status;
  const KeyringPtr keyring = store_.keyring();
  status.current_key = keyring->current_key_name();
  for (const auto& key : keyring->keys()) status.keys.push_back(key.name);
  store::ListOptions options;
  options.prefix = store_.prefix();
  for (const auto& stored : store_.inner().list(options).items) {
    ++status.secrets;
    if (std::string name = stored_key_name(*stored); !name.empty())
      ++status.by_key[name];
    else
      ++status.plaintext;
  }
  return status;
}

Json to_json(const RotationResult& result) {
  return {{"newKey", result.new_key},
          {"removedKeys", result.removed_keys},
          {"secrets", result.secrets},
          {"reencrypted", result.reencrypted}};
}

Json to_json(const EncryptionStatus& status) {
  Json by_key = Json::object();
  for (const auto& [name, count] : status.by_key) by_key[name] = count;
  return {
      {"encryption", "enabled"},
      {"currentKey", status.current_key},
      {"keys", status.keys},
      {"secrets",
       {{"total", status.secrets}, {"plaintext", status.plaintext}, {"byKey", std::move(by_key)}}}};
}

}  // namespace skiff::encryption
