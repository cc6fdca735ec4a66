#pragma once
// A fixed set of AES-256-GCM keys and the envelope format of one encrypted value:
//
//   k8s:enc:aesgcm:v1:<key name>:<base64 of 12-byte nonce + ciphertext + 16-byte tag>
//
// This is Kubernetes' aesgcm envelope with its binary tail base64-encoded, because skiff's
// store holds JSON text, not bytes. The first key seals; every key opens. A Keyring is
// immutable: rotation builds a new one and swaps it in (see EncryptingStore::set_keyring).
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "server/encryption/encryption_config.h"

namespace skiff::encryption {

inline constexpr std::string_view kEnvelopePrefix = "k8s:enc:";
inline constexpr std::string_view kAesGcmPrefix = "k8s:enc:aesgcm:v1:";

// A stored value that cannot be turned back into its object: unknown key, unsupported
// provider, failed authentication (tampering, or a value moved to another key), bad JSON
// inside. what() names the storage key and, when known, the encryption key. Derives from
// runtime_error (not StoreError) so the API answers it as a 500 InternalError with the message.
class DecryptionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Keyring {
 public:
  // Throws EncryptionConfigError when `keys` is empty.
  explicit Keyring(std::vector<EncryptionKey> keys);

  const std::string& current_key_name() const { return keys_.front().name; }
  const std::vector<EncryptionKey>& keys() const { return keys_; }

  // The envelope of `plaintext` under the current key, bound to `associated_data` (the storage
  // key). Throws CipherError only if OpenSSL fails.
  std::string seal(std::string_view plaintext, std::string_view associated_data) const;
  // The plaintext of `envelope`. Throws DecryptionError naming `storage_key`.
  std::string open(std::string_view envelope, std::string_view associated_data,
                   const std::string& storage_key) const;

 private:
  std::vector<EncryptionKey> keys_;
};
using KeyringPtr = std::shared_ptr<const Keyring>;

// The key name of an aesgcm envelope ("" when `envelope` is not one).
std::string envelope_key_name(std::string_view envelope);

}  // namespace skiff::encryption
