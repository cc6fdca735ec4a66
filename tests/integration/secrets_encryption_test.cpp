// Secrets at rest (--secrets-encryption) on a real server: what kubectl stores is not readable
// in the SQLite file, reads still give it back, `skiff secrets-encrypt rotate-keys` re-encrypts
// with a new key and everything stays readable, also after a restart.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "pkg/api/base64.h"
#include "pkg/api/json.h"
#include "tests/integration/support/test_server.h"

namespace skiff::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kPlain = "hunter2-plain-text";

#define EXPECT_OK(result) \
  EXPECT_EQ((result).exit_code, 0) << "stdout: " << (result).out << "\nstderr: " << (result).err

// Every byte of the store's files (the database and its write-ahead log).
std::string store_bytes(const TestServer& server) {
  std::string bytes;
  for (const char* suffix : {"", "-wal"}) {
    std::ifstream in(server.data_dir() + "/server/db/state.db" + suffix, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    bytes += text.str();
  }
  return bytes;
}

std::string secret_value(TestServer& server) {
  CommandResult got =
      server.skiff_kubectl({"get", "secret", "s1", "-o", "jsonpath={.data.password}"});
  if (got.exit_code != 0) return "error: " + got.err;
  return api::base64_decode(got.out).value_or("not base64: " + got.out);
}

std::string key_names(const TestServer& server) {
  std::ifstream in(server.data_dir() + "/server/cred/encryption-config.json");
  const Json config = Json::parse(in);
  std::string names;
  for (const auto& resource : config.at("resources"))
    for (const auto& provider : resource.at("providers"))
      if (provider.contains("aesgcm"))
        for (const auto& key : provider["aesgcm"].at("keys"))
          names += key.at("name").get<std::string>() + " ";
  return names;
}

TEST(SecretsEncryption, StoredEncryptedReadPlainRotatedAndRestarted) {
  TestServer server({"--secrets-encryption"});
  EXPECT_OK(server.skiff_kubectl(
      {"create", "secret", "generic", "s1", std::string("--from-literal=password=") + kPlain}));
  EXPECT_EQ(secret_value(server), kPlain);
  const std::string on_disk = store_bytes(server);
  EXPECT_EQ(on_disk.find(kPlain), std::string::npos);
  EXPECT_EQ(on_disk.find(api::base64_encode(kPlain)), std::string::npos);
  EXPECT_NE(on_disk.find("k8s:enc:aesgcm:v1:"), std::string::npos);
  const auto mode =
      fs::status(server.data_dir() + "/server/cred/encryption-config.json").permissions() &
      fs::perms::all;
  EXPECT_EQ(mode, fs::perms::owner_read | fs::perms::owner_write);

  const std::string kubeconfig_flag = "--kubeconfig=" + server.kubeconfig();
  CommandResult status = run_command({SKIFF_BINARY, "secrets-encrypt", "status", kubeconfig_flag});
  EXPECT_OK(status);
  EXPECT_NE(status.out.find("Enabled"), std::string::npos) << status.out;

  const std::string before = key_names(server);
  EXPECT_OK(run_command({SKIFF_BINARY, "secrets-encrypt", "rotate-keys", kubeconfig_flag}));
  const std::string after = key_names(server);
  EXPECT_NE(after, before);
  EXPECT_EQ(after.find(before), std::string::npos) << "the old key is dropped: " << after;
  EXPECT_EQ(secret_value(server), kPlain);

  server.stop();
  server.start();
  EXPECT_EQ(secret_value(server), kPlain);
  EXPECT_EQ(store_bytes(server).find(kPlain), std::string::npos);
}

TEST(SecretsEncryption, OffByDefault) {
  TestServer server;
  CommandResult status = run_command(
      {SKIFF_BINARY, "secrets-encrypt", "status", "--kubeconfig=" + server.kubeconfig()});
  EXPECT_NE(status.exit_code, 0);
  EXPECT_NE((status.out + status.err).find("--secrets-encryption"), std::string::npos)
      << status.out << status.err;
  EXPECT_FALSE(fs::exists(server.data_dir() + "/server/cred/encryption-config.json"));
}

}  // namespace
}  // namespace skiff::testing
