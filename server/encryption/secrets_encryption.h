#pragma once
// Key rotation and status for secrets encryption (`skiff secrets-encrypt rotate-keys|status`).
//
// rotate_keys, in an order that survives a crash at any step (the key file always holds every
// key some stored value needs):
//   1. a new key goes first in the key file (old keys still decrypt), then into the store;
//   2. every Secret not sealed with the new key (old keys and plaintext alike) is rewritten
//      through the store with compare-and-swap (retried on conflict);
//   3. a check that none is left on an old key; only then the old keys leave the file and the
//      store. If some are left, the old keys stay and rotate_keys throws saying so.
// Rotations are serialized; reads and writes go on meanwhile.
#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "pkg/api/json.h"
#include "server/encryption/encrypting_store.h"

namespace skiff::encryption {

struct RotationResult {
  std::string new_key;
  std::vector<std::string> removed_keys;
  size_t secrets = 0;      // Secrets seen
  size_t reencrypted = 0;  // of those, rewritten under the new key
};

struct EncryptionStatus {
  std::string current_key;
  std::vector<std::string> keys;         // in the key file's order
  size_t secrets = 0;                    // stored Secrets
  size_t plaintext = 0;                  // of those, not encrypted (written before)
  std::map<std::string, size_t> by_key;  // of those, encrypted with each key name
};

class SecretsEncryption {
 public:
  // `store` and the key file at `config_path` must be the ones the server runs with.
  SecretsEncryption(EncryptingStore& store, std::string config_path);

  // Throws EncryptionConfigError (key file), DecryptionError or StoreError (a Secret that
  // cannot be rewritten); the store keeps working with the keys it had at that point.
  RotationResult rotate_keys();
  EncryptionStatus status();

 private:
  // The storage keys of every stored Secret, from the raw (encrypted) values.
  std::vector<std::string> secret_keys();
  void install(const std::vector<EncryptionKey>& keys);

  EncryptingStore& store_;
  const std::string config_path_;
  std::mutex rotation_mutex_;
};

Json to_json(const RotationResult& result);
Json to_json(const EncryptionStatus& status);

}  // namespace skiff::encryption
