// Key rotation and status over the memory store, and their HTTP handler.
#include <gtest/gtest.h>

#include <filesystem>

#include "server/encryption/secrets_encrypt_handler.h"
#include "server/encryption/secrets_encryption.h"
#include "server/store/memory_store.h"

namespace skiff::encryption {
namespace {

namespace fs = std::filesystem;

Json token_secret(const std::string& name) {
  return {{"apiVersion", "v1"},
          {"kind", "Secret"},
          {"metadata", {{"name", name}, {"namespace", "default"}}},
          {"data", {{"token", "dG9rZW4tb2Yt" + name}}}};
}

std::string key_of(const std::string& name) {
  return std::string(kSecretsPrefix) + "default/" + name;
}

class RotationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::temp_directory_path() / ("skiff-encryption-rotation-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    path = encryption_config_path(dir.string());
    original = load_or_create_encryption_config(path);
    store =
        std::make_unique<EncryptingStore>(inner, std::make_shared<const Keyring>(original.keys));
    encryption = std::make_unique<SecretsEncryption>(*store, path);
  }
  void TearDown() override { fs::remove_all(dir); }

  http::Response call(const std::string& method, const std::string& path_,
                      SecretsEncryption* target) {
    http::Request request;
    request.method = method;
    request.path = path_;
    return handle_secrets_encrypt(request, target);
  }

  fs::path dir;
  std::string path;
  EncryptionConfig original;
  store::MemoryStore inner;
  std::unique_ptr<EncryptingStore> store;
  std::unique_ptr<SecretsEncryption> encryption;
};

TEST_F(RotationTest, RotationReencryptsEverySecretAndDropsTheOldKey) {
  store->create(key_of("a"), token_secret("a"));
  store->create(key_of("b"), token_secret("b"));
  inner.create(key_of("plain"), token_secret("plain"));  // written before encryption was on
  store->create("/registry/core/configmaps/default/c", token_secret("c"));
  const std::string old_name = original.keys[0].name;

  RotationResult result = encryption->rotate_keys();
  EXPECT_NE(result.new_key, old_name);
  EXPECT_EQ(result.secrets, 3u);
  EXPECT_EQ(result.reencrypted, 3u);
  EXPECT_EQ(result.removed_keys, std::vector<std::string>{old_name});

  EncryptionConfig on_disk = load_encryption_config(path);
  ASSERT_EQ(on_disk.keys.size(), 1u);
  EXPECT_EQ(on_disk.keys[0].name, result.new_key);
  EXPECT_EQ(store->keyring()->current_key_name(), result.new_key);

  for (const auto& name : {"a", "b", "plain"}) {
    EXPECT_EQ(stored_key_name(*inner.get(key_of(name))), result.new_key) << name;
    EXPECT_EQ((*store->get(key_of(name)))["data"]["token"], token_secret(name)["data"]["token"]);
  }
  EXPECT_FALSE(is_envelope(*inner.get("/registry/core/configmaps/default/c")));

  // A server restarted with only the file's keys reads everything.
  EncryptingStore restarted(inner, std::make_shared<const Keyring>(on_disk.keys));
  EXPECT_EQ((*restarted.get(key_of("a")))["data"]["token"], token_secret("a")["data"]["token"]);
  // ...and the old key alone no longer opens anything.
  EncryptingStore old_only(inner, std::make_shared<const Keyring>(original.keys));
  EXPECT_THROW(old_only.get(key_of("a")), DecryptionError);
}

TEST_F(RotationTest, StatusCountsSecretsPerKey) {
  store->create(key_of("a"), token_secret("a"));
  inner.create(key_of("plain"), token_secret("plain"));
  EncryptionStatus status = encryption->status();
  EXPECT_EQ(status.current_key, original.keys[0].name);
  EXPECT_EQ(status.keys, std::vector<std::string>{original.keys[0].name});
  EXPECT_EQ(status.secrets, 2u);
  EXPECT_EQ(status.plaintext, 1u);
  EXPECT_EQ(status.by_key.at(original.keys[0].name), 1u);

  encryption->rotate_keys();
  status = encryption->status();
  EXPECT_EQ(status.plaintext, 0u);
  EXPECT_EQ(status.by_key.size(), 1u);
  EXPECT_EQ(status.by_key.at(status.current_key), 2u);
}

TEST_F(RotationTest, HandlerAnswersJsonAndStatusErrors) {
  store->create(key_of("a"), token_secret("a"));
  http::Response status = call("GET", "/v1-skiff/secrets-encrypt/status", encryption.get());
  EXPECT_EQ(status.status, 200u);
  Json body = Json::parse(status.body);
  EXPECT_EQ(body["encryption"], "enabled");
  EXPECT_EQ(body["secrets"]["total"], 1);

  http::Response rotated = call("POST", "/v1-skiff/secrets-encrypt/rotate-keys", encryption.get());
  EXPECT_EQ(rotated.status, 200u);
  EXPECT_EQ(Json::parse(rotated.body)["reencrypted"], 1);

  http::Response off = call("GET", "/v1-skiff/secrets-encrypt/status", nullptr);
  EXPECT_EQ(off.status, 400u);
  Json off_body = Json::parse(off.body);
  EXPECT_EQ(off_body["kind"], "Status");
  EXPECT_EQ(off_body["code"], 400);
  EXPECT_NE(off_body["message"].get<std::string>().find("--secrets-encryption"), std::string::npos);

  EXPECT_EQ(call("GET", "/v1-skiff/secrets-encrypt/rotate-keys", encryption.get()).status, 405u);
  EXPECT_EQ(call("GET", "/v1-skiff/secrets-encrypt/other", encryption.get()).status, 404u);
  EXPECT_TRUE(is_secrets_encrypt_path("/v1-skiff/secrets-encrypt/status"));
  EXPECT_FALSE(is_secrets_encrypt_path("/api/v1/secrets"));
}

TEST_F(RotationTest, RotationFailureIsA500NamingTheProblem) {
  // A value under a key this server does not have: rotation cannot re-encrypt it.
  EncryptingStore stranger(inner, std::make_shared<const Keyring>(std::vector<EncryptionKey>{
                                      {"lost-key", std::string(32, 'q')}}));
  stranger.create(key_of("lost"), token_secret("lost"));
  http::Response response = call("POST", "/v1-skiff/secrets-encrypt/rotate-keys", encryption.get());
  EXPECT_EQ(response.status, 500u);
  const std::string message = Json::parse(response.body)["message"];
  EXPECT_NE(message.find("lost-key"), std::string::npos) << message;
  // The old key is kept next to the new one: nothing readable before became unreadable.
  EXPECT_EQ(load_encryption_config(path).keys.size(), 2u);
}

}  // namespace
}  // namespace skiff::encryption
