// The pure parts of `skiff token`: --ttl, the Secret a new token becomes, the list table and
// the ids `skiff token delete` accepts.
#include <gtest/gtest.h>

#include "pkg/api/base64.h"
#include "pkg/api/time.h"
#include "pkg/kubectl/bootstrap_tokens.h"

namespace skiff::kubectl {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

const TokenClock::time_point kNow = *api::parse_rfc3339("2026-11-27T01:00:00Z");

std::string decoded(const Json& secret, const std::string& key) {
  return *api::base64_decode(secret["data"][key].get<std::string>());
}

std::optional<seconds> ttl(const std::string& text) {
  std::string error;
  auto parsed = parse_token_ttl(text, error);
  EXPECT_EQ(parsed.has_value(), error.empty()) << text << ": " << error;
  return parsed;
}

TEST(KubectlTokenTest, TtlIsAGoDuration) {
  EXPECT_EQ(ttl("24h"), hours(24));
  EXPECT_EQ(ttl("1h30m"), seconds(5400));
  EXPECT_EQ(ttl("90m"), seconds(5400));
  EXPECT_EQ(ttl("45s"), seconds(45));
  EXPECT_EQ(ttl("1.5h"), seconds(5400));
  EXPECT_EQ(ttl("0"), seconds(0));
  EXPECT_EQ(ttl("0s"), seconds(0));
  EXPECT_EQ(ttl("876000h"), hours(876000));
}

TEST(KubectlTokenTest, BadTtlsAreRefusedInWords) {
  for (const char* text : {"", "24", "h", "-1h", "1d", "1h30", "1..5h", "24 h", "0.5s", "876001h",
                           "99999999999999999999h"}) {
    std::string error;
    EXPECT_FALSE(parse_token_ttl(text, error)) << text;
    EXPECT_NE(error.find("invalid --ttl"), std::string::npos) << text << ": " << error;
  }
}

TEST(KubectlTokenTest, NewTokenSecretIsAKubernetesBootstrapToken) {
  Json secret = new_token_secret("abcdef", "0123456789abcdef", hours(24), "for node 7", kNow);
  EXPECT_EQ(secret["apiVersion"], "v1");
  EXPECT_EQ(secret["kind"], "Secret");
  EXPECT_EQ(secret["metadata"]["name"], "bootstrap-token-abcdef");
  EXPECT_EQ(secret["metadata"]["namespace"], "kube-system");
  EXPECT_EQ(secret["type"], "bootstrap.kubernetes.io/token");
  EXPECT_EQ(secret["data"].size(), 5u) << secret.dump();
  EXPECT_EQ(decoded(secret, "token-id"), "abcdef");
  EXPECT_EQ(decoded(secret, "token-secret"), "0123456789abcdef");
  EXPECT_EQ(decoded(secret, "expiration"), "2026-11-28T01:00:00Z");
  EXPECT_EQ(decoded(secret, "usage-bootstrap-authentication"), "true");
  EXPECT_EQ(decoded(secret, "description"), "for node 7");
}

TEST(KubectlTokenTest, TokenWithZeroTtlAndNoDescriptionHasNeither) {
  Json secret = new_token_secret("abcdef", "0123456789abcdef", seconds(0), "", kNow);
  EXPECT_FALSE(secret["data"].contains("expiration"));
  EXPECT_FALSE(secret["data"].contains("description"));
}

TEST(KubectlTokenTest, ListRowsShowIdsTimesAndUsagesButNoSecrets) {
  Json other = {
      {"type", "Opaque"}, {"metadata", {{"name", "not-a-token"}}}, {"data", Json::object()}};
  Json broken = new_token_secret("brokn1", "0123456789abcdef", hours(1), "", kNow);
  broken["data"]["expiration"] = api::base64_encode("soon");
  Json secrets = Json::array({
      new_token_secret("aaaaaa", "0123456789abcdef", hours(24), "for node 7", kNow),
      new_token_secret("bbbbbb", "0123456789abcdef", seconds(0), "", kNow),
      new_token_secret("cccccc", "0123456789abcdef", hours(1), "old", kNow - hours(2)),
      other,
      broken,
  });
  auto rows = token_table_rows(secrets, kNow + seconds(1));
  ASSERT_EQ(rows.size(), 5u);
  using Row = std::vector<std::string>;
  EXPECT_EQ(rows[0], (Row{"TOKEN", "TTL", "EXPIRES", "USAGES", "DESCRIPTION"}));
  EXPECT_EQ(rows[1],
            (Row{"aaaaaa", "23h", "2026-11-28T01:00:00Z", "authentication", "for node 7"}));
  EXPECT_EQ(rows[2], (Row{"bbbbbb", "<forever>", "<never>", "authentication", "<none>"}));
  EXPECT_EQ(rows[3], (Row{"cccccc", "<expired>", "2026-11-27T00:00:00Z", "authentication", "old"}));
  EXPECT_EQ(rows[4], (Row{"brokn1", "<invalid>", "<invalid>", "",
                          "data.expiration is not an RFC 3339 time"}));
  for (const auto& row : rows)
    for (const auto& cell : row) EXPECT_EQ(cell.find("0123456789abcdef"), std::string::npos);
}

TEST(KubectlTokenTest, EmptyListIsJustTheHeader) {
  EXPECT_EQ(token_table_rows(Json::array(), kNow).size(), 1u);
  EXPECT_EQ(token_table_rows(Json(), kNow).size(), 1u);
}

TEST(KubectlTokenTest, DeleteTakesAnIdAnIdWithSecretOrAFullToken) {
  const std::string hash(64, 'a');
  EXPECT_EQ(token_id_from_argument("abcdef"), "abcdef");
  EXPECT_EQ(token_id_from_argument("abcdef.0123456789abcdef"), "abcdef");
  EXPECT_EQ(token_id_from_argument("K10" + hash + "::abcdef.0123456789abcdef"), "abcdef");
  for (const std::string& bad : std::vector<std::string>{
           "", "abcde", "ABCDEF", "abcdefg", "abcdef.short", "K10" + hash + "::server:secret",
           "K10short::abcdef.0123456789abcdef", "bootstrap-token-abcdef"})
    EXPECT_EQ(token_id_from_argument(bad), std::nullopt) << bad;
}

}  // namespace
}  // namespace skiff::kubectl
