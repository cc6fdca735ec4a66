// The encrypting Store decorator over the memory store: what the inner store holds, what every
// read path hands out, migration from plaintext, and the errors for values it cannot open.
#include <gtest/gtest.h>

#include <mutex>

#include "server/encryption/aes_gcm.h"
#include "server/encryption/encrypting_store.h"
#include "server/store/memory_store.h"

namespace skiff::encryption {
namespace {

constexpr const char* kSecretKey = "/registry/core/secrets/default/db";
constexpr const char* kPassword = "c3VwZXItc2VjcmV0LXBhc3N3b3Jk";  // base64 of the secret value

KeyringPtr keyring_of(std::vector<std::string> names) {
  std::vector<EncryptionKey> keys;
  for (auto& name : names) keys.push_back({std::move(name), random_bytes(kAesKeySize)});
  return std::make_shared<const Keyring>(std::move(keys));
}

Json secret(const std::string& name, const std::string& password = kPassword) {
  return {{"apiVersion", "v1"},
          {"kind", "Secret"},
          {"metadata", {{"name", name}, {"namespace", "default"}, {"labels", {{"app", name}}}}},
          {"data", {{"password", password}}}};
}

std::string raw_text(store::Store& inner, const std::string& key) {
  auto stored = inner.get(key);
  return stored ? stored->dump() : "";
}

// A FAKE inner store that, like the SQLite store, hands the text it stored along with an
// asynchronous create's result.
class TextReportingMemoryStore : public store::MemoryStore {
 public:
  void create_async(const std::string& key, Json object, store::WriteDone done) override {
    store::MemoryStore::create_async(key, std::move(object), [&done](store::WriteResult result) {
      if (result.object) result.object_json = result.object->dump();
      done(std::move(result));
    });
  }
};

// The stored text of a secret is its envelope: the caller must not get it as the answer.
TEST(EncryptingStoreOverATextReportingStore, AsyncCreateHandsNoSealedText) {
  TextReportingMemoryStore inner;
  EncryptingStore store{inner, keyring_of({"key1"})};
  store::WriteResult outcome;
  store.create_async(kSecretKey, secret("db"),
                     [&](store::WriteResult result) { outcome = std::move(result); });
  ASSERT_NE(outcome.object, nullptr);
  EXPECT_TRUE(outcome.object_json.empty() || outcome.object_json == outcome.object->dump())
      << outcome.object_json;

  // Objects it does not encrypt pass through with their text.
  const std::string config_key = "/registry/core/configmaps/default/c";
  store.create_async(config_key, Json{{"metadata", {{"name", "c"}}}},
                     [&](store::WriteResult result) { outcome = std::move(result); });
  ASSERT_NE(outcome.object, nullptr);
  EXPECT_EQ(outcome.object_json, outcome.object->dump());
}

class EncryptingStoreTest : public ::testing::Test {
 protected:
  store::MemoryStore inner;
  KeyringPtr keyring = keyring_of({"key1"});
  EncryptingStore store{inner, keyring};
};

TEST_F(EncryptingStoreTest, InnerStoreHoldsOnlyTheEnvelope) {
  store.create(kSecretKey, secret("db"));
  auto stored = inner.get(kSecretKey);
  ASSERT_TRUE(stored);
  EXPECT_TRUE(is_envelope(*stored));
  EXPECT_TRUE((*stored)["encrypted"].get<std::string>().starts_with("k8s:enc:aesgcm:v1:key1:"));
  EXPECT_EQ(stored_key_name(*stored), "key1");
  EXPECT_EQ(raw_text(inner, kSecretKey).find(kPassword), std::string::npos);
  EXPECT_EQ(raw_text(inner, kSecretKey).find("\"app\""), std::string::npos);  // labels too
}

TEST_F(EncryptingStoreTest, WritesAndReadsReturnThePlainObjectWithTheStoredRevision) {
  auto created = store.create(kSecretKey, secret("db"));
  EXPECT_EQ((*created)["data"]["password"], kPassword);
  const std::string revision = (*created)["metadata"]["resourceVersion"];
  EXPECT_EQ(revision, (*inner.get(kSecretKey))["metadata"]["resourceVersion"]);

  auto got = store.get(kSecretKey);
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, *created);

  Json changed = secret("db", "bmV3");
  auto updated = store.update(kSecretKey, changed, std::stoll(revision));
  EXPECT_EQ((*store.get(kSecretKey))["data"]["password"], "bmV3");
  EXPECT_NE((*updated)["metadata"]["resourceVersion"], revision);

  auto removed = store.remove(kSecretKey, 0);
  EXPECT_EQ((*removed)["data"]["password"], "bmV3");
  EXPECT_EQ(store.get(kSecretKey), nullptr);
}

TEST_F(EncryptingStoreTest, AsyncCreateSealsTheSecretAndReturnsThePlainObject) {
  store::WriteResult outcome;
  store.create_async(kSecretKey, secret("db"),
                     [&](store::WriteResult result) { outcome = std::move(result); });
  ASSERT_NE(outcome.object, nullptr);
  EXPECT_EQ((*outcome.object)["data"]["password"], kPassword);
  EXPECT_EQ((*outcome.object)["metadata"]["resourceVersion"],
            (*inner.get(kSecretKey))["metadata"]["resourceVersion"]);
  EXPECT_TRUE(is_envelope(*inner.get(kSecretKey)));
  EXPECT_EQ(raw_text(inner, kSecretKey).find(kPassword), std::string::npos);

  store.create_async(kSecretKey, secret("db"),
                     [&](store::WriteResult result) { outcome = std::move(result); });
  EXPECT_EQ(outcome.object, nullptr);
  EXPECT_NE(outcome.error, nullptr);  // AlreadyExists, as create() throws
}

TEST_F(EncryptingStoreTest, CompareAndSwapPassesThrough) {
  auto created = store.create(kSecretKey, secret("db"));
  store.update(kSecretKey, secret("db", "Yg=="), 0);
  try {
    store.update(kSecretKey, secret("db", "Yw=="),
                 std::stoll((*created)["metadata"]["resourceVersion"].get<std::string>()));
    FAIL() << "a stale revision was accepted";
  } catch (const store::StoreError& error) {
    EXPECT_EQ(error.code(), store::StoreError::Code::Conflict);
  }
  EXPECT_THROW(store.create(kSecretKey, secret("db")), store::StoreError);
}

TEST_F(EncryptingStoreTest, ListDecryptsAndFiltersOnThePlainObject) {
  store.create("/registry/core/secrets/default/a", secret("a"));
  store.create("/registry/core/secrets/default/b", secret("b"));
  store.create("/registry/core/configmaps/default/c", secret("c"));

  store::ListOptions options;
  options.prefix = "/registry/core/secrets/";
  auto all = store.list(options);
  ASSERT_EQ(all.items.size(), 2u);
  EXPECT_EQ((*all.items[0])["metadata"]["name"], "a");
  EXPECT_EQ((*all.items[1])["data"]["password"], kPassword);

  options.filter = [](const Json& object) {
    return object["metadata"]["labels"].value("app", "") == "b";
  };
  auto filtered = store.list(options);
  ASSERT_EQ(filtered.items.size(), 1u);
  EXPECT_EQ((*filtered.items[0])["metadata"]["name"], "b");

  store::ListOptions everything;
  everything.prefix = "/registry/";
  auto wide = store.list(everything);
  ASSERT_EQ(wide.items.size(), 3u);
  for (const auto& item : wide.items) EXPECT_EQ((*item)["kind"], "Secret");
}

TEST_F(EncryptingStoreTest, WatchEventsCarryPlainObjectsAndPreviousValues) {
  std::mutex mutex;
  std::vector<store::EventPtr> seen;
  auto watch = store.watch("/registry/", 0, [&](const std::vector<store::EventPtr>& events) {
    std::lock_guard lock(mutex);
    seen.insert(seen.end(), events.begin(), events.end());
    return true;
  });
  store.create(kSecretKey, secret("db"));
  store.update(kSecretKey, secret("db", "bmV3"), 0);
  store.remove(kSecretKey, 0);
  watch->stop();

  std::lock_guard lock(mutex);
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ((*seen[0]->object)["data"]["password"], kPassword);
  EXPECT_EQ((*seen[1]->object)["data"]["password"], "bmV3");
  ASSERT_TRUE(seen[1]->previous);
  EXPECT_EQ((*seen[1]->previous)["data"]["password"], kPassword);
  EXPECT_EQ(seen[2]->type, store::EventType::Deleted);
  EXPECT_EQ((*seen[2]->object)["data"]["password"], "bmV3");
  EXPECT_EQ((*seen[2]->object)["metadata"]["resourceVersion"], std::to_string(seen[2]->revision));
}

TEST_F(EncryptingStoreTest, OtherKeysPassThroughUntouched) {
  const std::string key = "/registry/core/configmaps/default/settings";
  Json config = {{"kind", "ConfigMap"},
                 {"metadata", {{"name", "settings"}, {"namespace", "default"}}},
                 {"data", {{"colour", "blue"}}}};
  store.create(key, config);
  auto stored = inner.get(key);
  EXPECT_EQ((*stored)["data"]["colour"], "blue");
  EXPECT_EQ(store.get(key), stored);  // the very same object, no copy

  std::vector<store::EventPtr> seen;
  auto watch =
      store.watch("/registry/core/configmaps/", 0, [&](const std::vector<store::EventPtr>& events) {
        seen.insert(seen.end(), events.begin(), events.end());
        return true;
      });
  store.update(key, config, 0);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0]->object, inner.get(key));
}

TEST_F(EncryptingStoreTest, PlaintextWrittenBeforeIsReadAndEncryptedOnItsNextWrite) {
  inner.create(kSecretKey, secret("db"));  // as a server without encryption wrote it
  auto got = store.get(kSecretKey);
  ASSERT_TRUE(got);
  EXPECT_EQ((*got)["data"]["password"], kPassword);
  EXPECT_FALSE(is_envelope(*inner.get(kSecretKey)));

  store.update(kSecretKey, *got, 0);
  EXPECT_TRUE(is_envelope(*inner.get(kSecretKey)));
  EXPECT_EQ(raw_text(inner, kSecretKey).find(kPassword), std::string::npos);
  EXPECT_EQ((*store.get(kSecretKey))["data"]["password"], kPassword);
}

TEST_F(EncryptingStoreTest, TamperedCiphertextIsAClearError) {
  store.create(kSecretKey, secret("db"));
  Json envelope = *inner.get(kSecretKey);
  std::string encrypted = envelope["encrypted"];
  char& last = encrypted[encrypted.size() - 6];  // inside the base64 of the ciphertext/tag
  last = last == 'A' ? 'B' : 'A';
  envelope["encrypted"] = encrypted;
  inner.update(kSecretKey, envelope, 0);
  try {
    store.get(kSecretKey);
    FAIL() << "a tampered value was decrypted";
  } catch (const DecryptionError& error) {
    EXPECT_NE(std::string(error.what()).find(kSecretKey), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("authentication"), std::string::npos) << error.what();
  }
}

TEST_F(EncryptingStoreTest, ValueMovedToAnotherKeyDoesNotDecrypt) {
  store.create(kSecretKey, secret("db"));
  const std::string other = "/registry/core/secrets/default/other";
  Json envelope = *inner.get(kSecretKey);
  inner.create(other, envelope);
  EXPECT_THROW(store.get(other), DecryptionError);
  envelope["key"] = other;  // claiming the new key fails authentication instead
  inner.update(other, envelope, 0);
  EXPECT_THROW(store.get(other), DecryptionError);
}

TEST_F(EncryptingStoreTest, UnknownKeyNameIsAClearError) {
  store.create(kSecretKey, secret("db"));
  store.create("/registry/core/secrets/default/second", secret("second"));
  EncryptingStore stranger(inner, keyring_of({"other-key"}));
  try {
    stranger.get(kSecretKey);
    FAIL() << "a value under an unknown key was returned";
  } catch (const DecryptionError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("\"key1\""), std::string::npos) << message;
    EXPECT_NE(message.find("not in the encryption configuration"), std::string::npos) << message;
  }
  store::ListOptions options;
  options.prefix = "/registry/core/secrets/";
  EXPECT_THROW(stranger.list(options), DecryptionError);
}

TEST_F(EncryptingStoreTest, KeySwapKeepsOldValuesReadableAndWritesWithTheNewKey) {
  store.create(kSecretKey, secret("db"));
  auto two = keyring_of({"key2"});
  std::vector<EncryptionKey> both = two->keys();
  both.push_back(keyring->keys().front());
  store.set_keyring(std::make_shared<const Keyring>(both));
  EXPECT_EQ((*store.get(kSecretKey))["data"]["password"], kPassword);
  EXPECT_TRUE(store.reencrypt(kSecretKey));
  EXPECT_FALSE(store.reencrypt(kSecretKey));  // already on the current key
  EXPECT_EQ(stored_key_name(*inner.get(kSecretKey)), "key2");

  // Dropping key1: an event written under it and replayed by a watch still opens.
  store.set_keyring(two);
  std::vector<store::EventPtr> seen;
  auto watch =
      store.watch("/registry/core/secrets/", 1, [&](const std::vector<store::EventPtr>& events) {
        seen.insert(seen.end(), events.begin(), events.end());
        return true;
      });
  ASSERT_EQ(seen.size(), 1u);  // the re-encrypting update (revision 2)
  EXPECT_EQ((*seen[0]->previous)["data"]["password"], kPassword);
  EXPECT_EQ(store.keyring()->keys().size(), 1u);
}

TEST_F(EncryptingStoreTest, UndecryptableWatchEventIsSkippedNotDelivered) {
  EncryptingStore stranger(inner, keyring_of({"other-key"}));
  std::vector<store::EventPtr> seen;
  auto watch = stranger.watch("/registry/", 0, [&](const std::vector<store::EventPtr>& events) {
    seen.insert(seen.end(), events.begin(), events.end());
    return true;
  });
  store.create(kSecretKey, secret("db"));
  store.create("/registry/core/configmaps/default/c", {{"metadata", {{"name", "c"}}}});
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0]->key, "/registry/core/configmaps/default/c");
}

}  // namespace
}  // namespace skiff::encryption
