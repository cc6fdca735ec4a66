#include "server/encryption/encrypting_store.h"

#include "pkg/log/log.h"
#include "server/store/revision.h"

namespace skiff::encryption {
namespace {

constexpr int kReencryptAttempts = 10;

const std::string* string_member(const Json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end() || !it->is_string()) return nullptr;
  return &it->get_ref<const std::string&>();
}

int64_t stored_revision(const Json& stored) {
  const auto metadata = stored.find("metadata");
  if (metadata == stored.end() || !metadata->is_object()) return 0;
  const std::string* revision = string_member(*metadata, "resourceVersion");
  return revision ? std::stoll(*revision) : 0;
}

// Gives `object` the resourceVersion the inner store stamped on `stored`.
void copy_revision(const Json& stored, Json& object) {
  store::stamp_revision(object, stored_revision(stored));
}

}  // namespace

bool is_envelope(const Json& stored) {
  if (!stored.is_object()) return false;
  const std::string* encrypted = string_member(stored, "encrypted");
  // A real object always has metadata.name; an envelope never does.
  return encrypted && encrypted->starts_with(kEnvelopePrefix) && string_member(stored, "key") &&
         !(stored.contains("metadata") && stored["metadata"].is_object() &&
           stored["metadata"].contains("name"));
}

std::string stored_key_name(const Json& stored) {
  return is_envelope(stored) ? envelope_key_name(*string_member(stored, "encrypted")) : "";
}

EncryptingStore::EncryptingStore(store::Store& inner, KeyringPtr keyring, std::string prefix)
    : inner_(inner), prefix_(std::move(prefix)), keyring_(keyring), read_keyring_(keyring) {
  if (!keyring_) throw EncryptionConfigError("EncryptingStore needs a keyring");
}

KeyringPtr EncryptingStore::keyring() const {
  std::lock_guard lock(mutex_);
  return keyring_;
}

KeyringPtr EncryptingStore::read_keyring() const {
  std::lock_guard lock(mutex_);
  return read_keyring_;
}

void EncryptingStore::set_keyring(KeyringPtr keyring) {
  if (!keyring) throw EncryptionConfigError("EncryptingStore needs a keyring");
  std::lock_guard lock(mutex_);
  std::vector<EncryptionKey> readable = keyring->keys();
  for (const auto& old : read_keyring_->keys()) {
    bool kept = false;
    for (const auto& key : readable) kept = kept || key.name == old.name;
    if (!kept) readable.push_back(old);
  }
  keyring_ = std::move(keyring);
  read_keyring_ = std::make_shared<const Keyring>(std::move(readable));
}

bool EncryptingStore::overlaps(const std::string& prefix) const {
  return prefix.rfind(prefix_, 0) == 0 || prefix_.rfind(prefix, 0) == 0;
}

Json EncryptingStore::seal_with(const Keyring& keyring, const std::string& key,
                                const Json& object) const {
  if (!object.is_object()) {
    throw std::invalid_argument("store: value must be a JSON object, got " +
                                std::string(object.type_name()));
  }
  return {
      {"metadata", Json::object()}, {"key", key}, {"encrypted", keyring.seal(object.dump(), key)}};
}

store::ObjectPtr EncryptingStore::open(const store::ObjectPtr& stored,
                                       const std::string& expected_key,
                                       const Keyring& keyring) const {
  if (!stored || !is_envelope(*stored)) return stored;
  const std::string& key = *string_member(*stored, "key");
  if (!expected_key.empty() && key != expected_key) {
    throw DecryptionError("cannot decrypt " + expected_key + ": the stored value was written for " +
                          key);
  }
  // The storage key is the associated data: a ciphertext copied under another key (with its
  // "key" field changed to match) fails authentication.
  const std::string plaintext = keyring.open(*string_member(*stored, "encrypted"), key, key);
  Json object;
  try {
    object = Json::parse(plaintext);
  } catch (const Json::parse_error& error) {
    throw DecryptionError("cannot decrypt " + key + ": the plaintext is not JSON (" + error.what() +
                          ")");
  }
  if (!object.is_object())
    throw DecryptionError("cannot decrypt " + key + ": the plaintext is not a JSON object");
  copy_revision(*stored, object);
  return std::make_shared<const Json>(std::move(object));
}

store::ObjectPtr EncryptingStore::create(const std::string& key, Json object) {
  if (!encrypted_key(key)) return inner_.create(key, std::move(object));
  store::ObjectPtr stored = inner_.create(key, seal_with(*keyring(), key, object));
  copy_revision(*stored, object);
  return std::make_shared<const Json>(std::move(object));
}

void EncryptingStore::create_async(const std::string& key, Json object, store::WriteDone done) {
  if (!encrypted_key(key)) return inner_.create_async(key, std::move(object), std::move(done));
  Json sealed = seal_with(*keyring(), key, object);
  // The caller gets the plaintext back, stamped with the stored revision (as create() does).
  auto plaintext = std::make_shared<Json>(std::move(object));
  inner_.create_async(key, std::move(sealed),
                      [plaintext, done = std::move(done)](store::WriteResult result) {
                        if (result.object) {
                          copy_revision(*result.object, *plaintext);
                          result.object = std::move(plaintext);
                          result.object_json.clear();  // the sealed form's text
                        }
                        done(std::move(result));
                      });
}

void EncryptingStore::mutate_async(const std::string& key, store::Mutation mutate,
                                   store::WriteDone done) {
  if (!encrypted_key(key)) return inner_.mutate_async(key, std::move(mutate), std::move(done));
  Store::mutate_async(key, std::move(mutate), std::move(done));
}

store::ObjectPtr EncryptingStore::update(const std::string& key, Json object,
                                         int64_t expected_revision) {
  if (!encrypted_key(key)) return inner_.update(key, std::move(object), expected_revision);
  store::ObjectPtr stored =
      inner_.update(key, seal_with(*keyring(), key, object), expected_revision);
  copy_revision(*stored, object);
  return std::make_shared<const Json>(std::move(object));
}

store::ObjectPtr EncryptingStore::update_volatile(const std::string& key, Json object,
                                                  int64_t expected_revision) {
  if (!encrypted_key(key)) return inner_.update_volatile(key, std::move(object), expected_revision);
  store::ObjectPtr stored =
      inner_.update_volatile(key, seal_with(*keyring(), key, object), expected_revision);
  copy_revision(*stored, object);
  return std::make_shared<const Json>(std::move(object));
}

store::ObjectPtr EncryptingStore::remove(const std::string& key, int64_t expected_revision) {
  store::ObjectPtr stored = inner_.remove(key, expected_revision);
  return encrypted_key(key) ? open(stored, key, *read_keyring()) : stored;
}

store::ObjectPtr EncryptingStore::get(const std::string& key) {
  store::ObjectPtr stored = inner_.get(key);
  // The keyring is read after the value, so a value sealed with a key just swapped in opens.
  return encrypted_key(key) ? open(stored, key, *read_keyring()) : stored;
}

store::ListResult EncryptingStore::list(const store::ListOptions& options) {
  if (!overlaps(options.prefix)) return inner_.list(options);
  store::ListOptions wrapped = options;
  if (options.filter) {
    // Selectors match the object, not its envelope. (An encrypted item that passes is opened
    // twice; selectors on Secrets are rare enough not to cache.)
    wrapped.filter = [this, &options](const Json& stored) {
      if (!is_envelope(stored)) return options.filter(stored);
      auto object = open(std::make_shared<const Json>(stored), "", *read_keyring());
      return options.filter(*object);
    };
  }
  store::ListResult result = inner_.list(wrapped);
  const KeyringPtr keyring = read_keyring();
  for (auto& item : result.items) item = open(item, "", *keyring);
  return result;
}

int64_t EncryptingStore::current_revision() {
  return inner_.current_revision();
}

store::WatchPtr EncryptingStore::watch(const std::string& prefix, int64_t from_revision,
                                       store::WatchCallback callback) {
  if (!overlaps(prefix)) return inner_.watch(prefix, from_revision, std::move(callback));
  auto decrypting = [this,
                     callback = std::move(callback)](const std::vector<store::EventPtr>& events) {
    auto sealed = [](const store::EventPtr& event) {
      return (event->object && is_envelope(*event->object)) ||
             (event->previous && is_envelope(*event->previous));
    };
    bool any = false;
    for (const auto& event : events) any = any || sealed(event);
    if (!any) return callback(events);

    const KeyringPtr keyring = read_keyring();
    std::vector<store::EventPtr> opened;
    opened.reserve(events.size());
    for (const auto& event : events) {
      if (!sealed(event)) {
        opened.push_back(event);
        continue;
      }
      try {
        opened.push_back(std::make_shared<const store::Event>(store::Event{
            event->type, event->key, event->revision, open(event->object, event->key, *keyring),
            open(event->previous, event->key, *keyring)}));
      } catch (const DecryptionError& error) {
        // Nothing can be thrown to a watcher; a relist will report the error to its reader.
        log::error("watch event skipped: secret cannot be decrypted",
                   {{"key", event->key}, {"revision", event->revision}, {"error", error.what()}});
      }
    }
    return opened.empty() ? true : callback(opened);
  };
  return inner_.watch(prefix, from_revision, std::move(decrypting));
}

int64_t EncryptingStore::compacted_revision() {
  return inner_.compacted_revision();
}

bool EncryptingStore::reencrypt(const std::string& key) {
  for (int attempt = 1;; ++attempt) {
    store::ObjectPtr stored = inner_.get(key);
    if (!stored) return false;
    const KeyringPtr keyring = this->keyring();
    if (stored_key_name(*stored) == keyring->current_key_name()) return false;
    store::ObjectPtr object = open(stored, key, *read_keyring());
    try {
      inner_.update(key, seal_with(*keyring, key, *object), stored_revision(*stored));
      return true;
    } catch (const store::StoreError& error) {
      if (error.code() == store::StoreError::Code::NotFound) return false;
      if (error.code() != store::StoreError::Code::Conflict || attempt == kReencryptAttempts) throw;
      // A writer got in between: read again (it may even have sealed it with the new key).
    }
  }
}

}  // namespace skiff::encryption
