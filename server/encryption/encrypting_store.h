#pragma once
// A Store decorator that keeps Secrets encrypted at rest (`skiff server --secrets-encryption`).
//
// Writes of keys under the secrets prefix store, instead of the object, an envelope object
//   {"metadata": {"resourceVersion": "<stamped by the inner store>"},
//    "key": "<storage key>", "encrypted": "k8s:enc:aesgcm:v1:<key name>:<base64>"}
// whose ciphertext is the whole object's JSON, bound to the storage key (GCM associated data).
// The inner store only ever sees the envelope, so revisions and compare-and-swap work as before.
//
// Every read path (get, list and its filter, watch events and their previous objects, the
// values writes return) hands out the decrypted object with the envelope's resourceVersion.
// Stored values that are not envelopes are returned as they are (plaintext written before
// encryption was turned on); they are encrypted on their next write or by rotate (see
// secrets_encryption.h). A value that cannot be decrypted throws DecryptionError naming the
// storage key and the encryption key; in a watch, where nothing can be thrown, such an event
// is logged and skipped.
//
// Keys outside the prefix pass through untouched (same pointers, no copies).
// The keyring can be swapped while serving (set_keyring). The keys a swap drops stay usable for
// reading in this process (never for writing, never saved): a read that raced a rotation, or a
// watch replaying events written before it, still gets its object. A restart forgets them.
#include <mutex>

#include "server/encryption/keyring.h"
#include "server/store/store.h"

namespace skiff::encryption {

inline constexpr const char* kSecretsPrefix = "/registry/core/secrets/";

class EncryptingStore : public store::Store {
 public:
  // `inner` must outlive this object and every watch made through it.
  EncryptingStore(store::Store& inner, KeyringPtr keyring, std::string prefix = kSecretsPrefix);

  KeyringPtr keyring() const;
  // Writes from now on use `keyring`'s first key; reads accept all of its keys (and the
  // dropped ones, see above).
  void set_keyring(KeyringPtr keyring);

  // The store below, which holds the envelopes (for rotation and status).
  store::Store& inner() { return inner_; }
  const std::string& prefix() const { return prefix_; }

  // Rewrites `key` sealed with the current key unless it already is; compare-and-swap on the
  // revision read, retried on conflict. Returns true when it wrote. A key that is gone is
  // skipped (false). Throws DecryptionError when the stored value cannot be read.
  bool reencrypt(const std::string& key);

  store::ObjectPtr create(const std::string& key, Json object) override;
  void create_async(const std::string& key, Json object, store::WriteDone done) override;
  store::ObjectPtr update(const std::string& key, Json object, int64_t expected_revision) override;
  // Passed through for keys that are not encrypted; sealed ones take the default (read,
  // decrypt, mutate, seal, compare-and-swap).
  void mutate_async(const std::string& key, store::Mutation mutate, store::WriteDone done) override;
  store::ObjectPtr update_volatile(const std::string& key, Json object,
                                   int64_t expected_revision) override;
  store::ObjectPtr remove(const std::string& key, int64_t expected_revision) override;
  store::ObjectPtr get(const std::string& key) override;
  store::ListResult list(const store::ListOptions& options) override;
  int64_t current_revision() override;
  store::WatchPtr watch(const std::string& prefix, int64_t from_revision,
                        store::WatchCallback callback) override;
  int64_t compacted_revision() override;

 private:
  bool encrypted_key(const std::string& key) const { return key.rfind(prefix_, 0) == 0; }
  // True when a range starting with `prefix` can contain encrypted keys.
  bool overlaps(const std::string& prefix) const;
  // The object `stored` stands for (itself when it is no envelope). `expected_key` is the key
  // it was read under, "" when unknown (list items).
  store::ObjectPtr open(const store::ObjectPtr& stored, const std::string& expected_key,
                        const Keyring& keyring) const;
  KeyringPtr read_keyring() const;
  Json seal_with(const Keyring& keyring, const std::string& key, const Json& object) const;

  store::Store& inner_;
  const std::string prefix_;
  mutable std::mutex mutex_;
  KeyringPtr keyring_;
  KeyringPtr read_keyring_;  // keyring_'s keys first, then every key a swap dropped
};

// True when `stored` is an envelope this decorator wrote.
bool is_envelope(const Json& stored);
// The envelope's aesgcm key name, "" when `stored` is plaintext.
std::string stored_key_name(const Json& stored);

}  // namespace skiff::encryption
