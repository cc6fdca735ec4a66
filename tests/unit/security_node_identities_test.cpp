// NodeIdentities: a node's certificates from before its latest join stop counting; the record
// survives a restart; a damaged record stops the server with the file named.
#include "server/security/node_identities.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

namespace skiff::security {
namespace {

using std::chrono::seconds;
using Clock = std::chrono::system_clock;

const Clock::time_point kFirstJoin = Clock::from_time_t(1'790'000'000);

class NodeIdentitiesTest : public ::testing::Test {
 protected:
  NodeIdentitiesTest() {
    std::string pattern = (std::filesystem::temp_directory_path() / "skiff-ids-XXXXXX").string();
    dir_ = mkdtemp(pattern.data());
  }
  ~NodeIdentitiesTest() override { std::filesystem::remove_all(dir_); }
  std::string path() const { return dir_ + "/tls/node-identities.json"; }

  std::string dir_;
};

TEST_F(NodeIdentitiesTest, EveryCertificateCountsUntilTheNodeJoinsAgain) {
  NodeIdentities identities(path());
  EXPECT_EQ(identities.check("pi", kFirstJoin - seconds(1000)), "");
  identities.joined("pi", kFirstJoin);
  EXPECT_EQ(identities.check("pi", kFirstJoin), "");
  EXPECT_EQ(identities.check("pi", kFirstJoin + seconds(86400)), "") << "a renewal counts";
  const std::string refused = identities.check("pi", kFirstJoin - seconds(1));
  EXPECT_NE(refused.find("was replaced when the node joined again"), std::string::npos) << refused;
  EXPECT_NE(refused.find("2026-09-21T"), std::string::npos) << refused;
  EXPECT_EQ(identities.check("other", kFirstJoin - seconds(1)), "") << "per node";
}

TEST_F(NodeIdentitiesTest, TheRecordSurvivesARestartPrivately) {
  NodeIdentities(path()).joined("pi", kFirstJoin);
  NodeIdentities reopened(path());
  EXPECT_NE(reopened.check("pi", kFirstJoin - seconds(1)), "");
  struct stat info {};
  ASSERT_EQ(stat(path().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
}

TEST_F(NodeIdentitiesTest, ADamagedRecordIsAnErrorNamingTheFile) {
  NodeIdentities(path()).joined("pi", kFirstJoin);
  std::ofstream(path()) << "{\"pi\": \"yesterday\"}";
  try {
    NodeIdentities damaged(path());
    FAIL() << "a damaged record was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(path()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("\"pi\""), std::string::npos) << e.what();
  }
  std::ofstream(path()) << "not json";
  EXPECT_THROW(NodeIdentities{path()}, std::runtime_error);
}

}  // namespace
}  // namespace skiff::security
