// check_bootstrap_token over the in-memory store: the Secret a token is checked against, and
// every reason a token is refused (none of which may quote the secret).
#include "server/security/bootstrap_tokens.h"

#include <gtest/gtest.h>

#include "pkg/api/base64.h"
#include "pkg/api/bootstrap_token_secret.h"
#include "pkg/api/time.h"
#include "server/store/memory_store.h"

namespace skiff::security {
namespace {

using std::chrono::hours;
using Clock = std::chrono::system_clock;

const pki::BootstrapToken kToken{"abcdef", "0123456789abcdef"};
const Clock::time_point kNow = *api::parse_rfc3339("2026-11-27T01:00:00Z");
const std::string kKey = "/registry/core/secrets/kube-system/bootstrap-token-abcdef";

Json token_secret(std::optional<Clock::time_point> expiration = kNow + hours(24)) {
  api::BootstrapTokenSecret token{kToken.id, kToken.secret, expiration, {"authentication"}, ""};
  return api::bootstrap_token_secret_json(token);
}

class BootstrapTokensTest : public ::testing::Test {
 protected:
  std::string check(const pki::BootstrapToken& token = kToken, Clock::time_point now = kNow) {
    std::string reason = check_bootstrap_token(store_, token, now);
    EXPECT_EQ(reason.find(token.secret), std::string::npos) << reason;
    return reason;
  }
  store::MemoryStore store_;
};

TEST_F(BootstrapTokensTest, ValidTokenIsAccepted) {
  store_.create(kKey, token_secret());
  EXPECT_EQ(check(), "");
}

TEST_F(BootstrapTokensTest, StoredUnderTheKeyTheApiServerUses) {
  // The CLI creates the Secret through the API; the server reads the same key.
  EXPECT_EQ(token_secret()["metadata"]["name"], "bootstrap-token-abcdef");
  EXPECT_EQ(token_secret()["metadata"]["namespace"], "kube-system");
  EXPECT_EQ(token_secret()["type"], "bootstrap.kubernetes.io/token");
}

TEST_F(BootstrapTokensTest, WrongSecretIsRefused) {
  store_.create(kKey, token_secret());
  EXPECT_EQ(check({"abcdef", "0123456789abcdeX"}), "wrong secret for token \"abcdef\"");
  EXPECT_EQ(check({"abcdef", "short"}), "wrong secret for token \"abcdef\"");
}

TEST_F(BootstrapTokensTest, ExpiredTokenIsRefusedFromItsExpirationOn) {
  store_.create(kKey, token_secret(kNow + hours(1)));
  EXPECT_EQ(check(kToken, kNow + hours(1) - std::chrono::seconds(1)), "");
  EXPECT_EQ(check(kToken, kNow + hours(1)), "token \"abcdef\" expired at 2026-11-27T02:00:00Z");
  EXPECT_EQ(check(kToken, kNow + hours(48)), "token \"abcdef\" expired at 2026-11-27T02:00:00Z");
}

TEST_F(BootstrapTokensTest, WrongSecretOfAnExpiredTokenSaysOnlyWrongSecret) {
  store_.create(kKey, token_secret(kNow - hours(1)));
  EXPECT_EQ(check({"abcdef", "ffffffffffffffff"}), "wrong secret for token \"abcdef\"");
}

TEST_F(BootstrapTokensTest, TokenWithoutExpirationNeverExpires) {
  store_.create(kKey, token_secret(std::nullopt));
  EXPECT_EQ(check(kToken, kNow + hours(24 * 365 * 50)), "");
}

TEST_F(BootstrapTokensTest, OtherSecretTypeIsRefused) {
  Json secret = token_secret();
  secret["type"] = "Opaque";
  store_.create(kKey, secret);
  EXPECT_EQ(check(),
            "token \"abcdef\" is not usable: the Secret's type is not "
            "bootstrap.kubernetes.io/token");
}

TEST_F(BootstrapTokensTest, TokenNotForAuthenticationIsRefused) {
  Json secret = token_secret();
  secret["data"]["usage-bootstrap-authentication"] = api::base64_encode("false");
  store_.create(kKey, secret);
  EXPECT_EQ(check(), "token \"abcdef\" may not be used for authentication");

  secret["data"].erase("usage-bootstrap-authentication");
  secret["data"]["usage-bootstrap-signing"] = api::base64_encode("true");
  store_.update(kKey, secret, 0);
  EXPECT_EQ(check(), "token \"abcdef\" may not be used for authentication");
}

TEST_F(BootstrapTokensTest, UnknownIdIsRefused) {
  store_.create(kKey, token_secret());
  EXPECT_EQ(check({"zzzzzz", "0123456789abcdef"}), "unknown token \"zzzzzz\"");
}

TEST_F(BootstrapTokensTest, SecretInAnotherNamespaceDoesNotCount) {
  store_.create("/registry/core/secrets/default/bootstrap-token-abcdef", token_secret());
  EXPECT_EQ(check(), "unknown token \"abcdef\"");
}

TEST_F(BootstrapTokensTest, MalformedSecretsAreRefused) {
  Json bad_expiration = token_secret();
  bad_expiration["data"]["expiration"] = api::base64_encode("tomorrow");
  store_.create(kKey, bad_expiration);
  EXPECT_EQ(check(), "token \"abcdef\" is not usable: data.expiration is not an RFC 3339 time");

  Json other_id = token_secret();
  other_id["data"]["token-id"] = api::base64_encode("ghijkl");
  store_.update(kKey, other_id, 0);
  EXPECT_EQ(check(), "token \"abcdef\" is not usable: its token-id differs");

  Json not_base64 = token_secret();
  not_base64["data"]["token-secret"] = kToken.secret + "!";  // plain text, not base64
  store_.update(kKey, not_base64, 0);
  EXPECT_EQ(check(), "token \"abcdef\" is not usable: data.token-secret is not base64");

  Json no_secret = token_secret();
  no_secret["data"].erase("token-secret");
  store_.update(kKey, no_secret, 0);
  EXPECT_EQ(check(), "token \"abcdef\" is not usable: data.token-secret is missing");
}

TEST_F(BootstrapTokensTest, TokenBeingDeletedIsRefused) {
  Json secret = token_secret();
  secret["metadata"]["deletionTimestamp"] = "2026-11-27T00:59:00Z";
  store_.create(kKey, secret);
  EXPECT_EQ(check(), "token \"abcdef\" is being deleted");
}

}  // namespace
}  // namespace skiff::security
