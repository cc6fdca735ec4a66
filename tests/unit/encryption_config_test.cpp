// The key file (EncryptionConfiguration shape, mode 0600, strict parsing) and AES-256-GCM.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "pkg/api/base64.h"
#include "server/encryption/aes_gcm.h"
#include "server/encryption/encryption_config.h"

namespace skiff::encryption {
namespace {

namespace fs = std::filesystem;

class EncryptionConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::temp_directory_path() / ("skiff-encryption-config-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    path = (dir / "server" / "cred" / "encryption-config.json").string();
  }
  void TearDown() override { fs::remove_all(dir); }

  void write(const std::string& text) {
    fs::create_directories(fs::path(path).parent_path());
    std::ofstream(path) << text;
  }
  // The load error for `document`, "" when it loads.
  std::string load_error(const Json& document) {
    write(document.dump());
    try {
      load_encryption_config(path);
      return "";
    } catch (const EncryptionConfigError& error) {
      return error.what();
    }
  }
  Json valid_document() {
    return {{"apiVersion", "apiserver.config.k8s.io/v1"},
            {"kind", "EncryptionConfiguration"},
            {"resources",
             {{{"resources", {"secrets"}},
               {"providers",
                {{{"aesgcm",
                   {{"keys",
                     {{{"name", "k1"}, {"secret", api::base64_encode(std::string(32, 'x'))}},
                      {{"name", "k2"}, {"secret", api::base64_encode(std::string(32, 'y'))}}}}}}},
                 {{"identity", Json::object()}}}}}}}};
  }

  fs::path dir;
  std::string path;
};

TEST_F(EncryptionConfigTest, PathIsUnderTheDataDir) {
  EXPECT_EQ(encryption_config_path("/var/lib/skiff"),
            "/var/lib/skiff/server/cred/encryption-config.json");
}

TEST_F(EncryptionConfigTest, FirstUseCreatesAPrivateFileInKubernetesShape) {
  EncryptionConfig created = load_or_create_encryption_config(path);
  ASSERT_EQ(created.keys.size(), 1u);
  EXPECT_TRUE(created.keys[0].name.starts_with("aesgcmkey-")) << created.keys[0].name;
  EXPECT_EQ(created.keys[0].secret.size(), 32u);

  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(fs::path(path).parent_path().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0700u);

  std::ifstream in(path);
  Json document = Json::parse(in);
  EXPECT_EQ(document["apiVersion"], "apiserver.config.k8s.io/v1");
  EXPECT_EQ(document["kind"], "EncryptionConfiguration");
  EXPECT_EQ(document["resources"][0]["resources"], Json::array({"secrets"}));
  const Json& providers = document["resources"][0]["providers"];
  EXPECT_EQ(providers[0]["aesgcm"]["keys"][0]["name"], created.keys[0].name);
  EXPECT_EQ(api::base64_decode(providers[0]["aesgcm"]["keys"][0]["secret"].get<std::string>()),
            created.keys[0].secret);
  EXPECT_TRUE(providers[1].contains("identity"));

  // The second start reads the same key.
  EncryptionConfig again = load_or_create_encryption_config(path);
  ASSERT_EQ(again.keys.size(), 1u);
  EXPECT_EQ(again.keys[0].name, created.keys[0].name);
  EXPECT_EQ(again.keys[0].secret, created.keys[0].secret);
}

TEST_F(EncryptionConfigTest, AllKeysAreKeptInOrder) {
  write(valid_document().dump());
  EncryptionConfig config = load_encryption_config(path);
  ASSERT_EQ(config.keys.size(), 2u);
  EXPECT_EQ(config.keys[0].name, "k1");
  EXPECT_EQ(config.keys[1].name, "k2");
  EXPECT_EQ(config.keys[1].secret, std::string(32, 'y'));

  save_encryption_config(path, config);
  EXPECT_EQ(load_encryption_config(path).keys.size(), 2u);
}

TEST_F(EncryptionConfigTest, MalformedFilesAreClearErrors) {
  write("{not json");
  EXPECT_THROW(load_or_create_encryption_config(path), EncryptionConfigError);
  std::ifstream in(path);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "{not json");  // not replaced

  auto expect_error = [&](Json document, const std::string& words) {
    const std::string error = load_error(document);
    EXPECT_NE(error.find(words), std::string::npos) << "expected \"" << words << "\" in: " << error;
    EXPECT_NE(error.find(path), std::string::npos) << error;
  };
  Json doc = valid_document();
  doc["kind"] = "Config";
  expect_error(doc, "kind must be EncryptionConfiguration");

  doc = valid_document();
  doc["resources"][0]["providers"][0]["aesgcm"]["keys"][1]["secret"] = "not base64!";
  expect_error(doc, "key \"k2\") is not valid base64");

  doc = valid_document();
  doc["resources"][0]["providers"][0]["aesgcm"]["keys"][1]["secret"] =
      api::base64_encode(std::string(16, 'z'));
  expect_error(doc, "must decode to 32 bytes");

  doc = valid_document();
  doc["resources"][0]["providers"][0]["aesgcm"]["keys"][1]["name"] = "k1";
  expect_error(doc, "key name \"k1\" is used twice");

  doc = valid_document();
  doc["resources"][0]["providers"][0]["aesgcm"]["keys"][1].erase("name");
  expect_error(doc, ".keys[1].name is missing");

  doc = valid_document();
  doc["resources"][0]["providers"][1] = {{"aescbc", {{"keys", Json::array()}}}};
  expect_error(doc, "provider \"aescbc\" is not supported");

  doc = valid_document();
  std::swap(doc["resources"][0]["providers"][0], doc["resources"][0]["providers"][1]);
  expect_error(doc, "identity first");

  doc = valid_document();
  doc["resources"][0]["resources"] = {"secrets", "configmaps"};
  expect_error(doc, "encrypts only \"secrets\"");

  doc = valid_document();
  doc["resources"][0]["providers"] = {{{"identity", Json::object()}}};
  expect_error(doc, "identity first");
}

TEST_F(EncryptionConfigTest, GeneratedNamesAreUnique) {
  const auto now = std::chrono::system_clock::from_time_t(1'800'000'000);
  EncryptionKey first = generate_encryption_key({}, now);
  EXPECT_EQ(first.name, "aesgcmkey-2027-01-15T08:00:00Z");
  EncryptionKey second = generate_encryption_key({first}, now);
  EXPECT_EQ(second.name, first.name + "-2");
  EXPECT_NE(first.secret, second.secret);
}

TEST(AesGcmTest, SealsAndOpensAndRefusesChanges) {
  const std::string key = random_bytes(kAesKeySize);
  const std::string sealed = aes_gcm_seal(key, "hello secret", "/registry/a");
  EXPECT_EQ(sealed.size(), kGcmNonceSize + 12 + kGcmTagSize);
  EXPECT_EQ(sealed.find("hello"), std::string::npos);
  EXPECT_EQ(aes_gcm_open(key, sealed, "/registry/a"), "hello secret");
  EXPECT_NE(aes_gcm_seal(key, "hello secret", "/registry/a"), sealed);  // fresh nonce

  EXPECT_THROW(aes_gcm_open(key, sealed, "/registry/b"), CipherError);
  EXPECT_THROW(aes_gcm_open(random_bytes(kAesKeySize), sealed, "/registry/a"), CipherError);
  std::string flipped = sealed;
  flipped[kGcmNonceSize] ^= 1;
  EXPECT_THROW(aes_gcm_open(key, flipped, "/registry/a"), CipherError);
  EXPECT_THROW(aes_gcm_open(key, sealed.substr(0, 20), "/registry/a"), CipherError);
  EXPECT_THROW(aes_gcm_seal("short", "x", ""), CipherError);
  EXPECT_EQ(aes_gcm_open(key, aes_gcm_seal(key, "", ""), ""), "");
}

}  // namespace
}  // namespace skiff::encryption
