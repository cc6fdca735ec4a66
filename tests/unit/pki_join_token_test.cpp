// Join tokens in the k3s form: what parses, what is refused (with a message), bootstrap tokens,
// random secrets and their comparison.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "pkg/pki/join_token.h"
#include "pkg/pki/pki.h"

namespace skiff::pki {
namespace {

const std::string kHash = sha256_hex("a CA bundle");

std::string rejection(const std::string& text) {
  std::string error;
  auto token = parse_join_token(text, &error);
  EXPECT_FALSE(token.has_value()) << text;
  EXPECT_FALSE(error.empty()) << text;
  return error;
}

TEST(PkiJoinTokenTest, ParsesTheServerForm) {
  auto token = parse_join_token("K10" + kHash + "::server:s3cr3t");
  ASSERT_TRUE(token.has_value());
  EXPECT_EQ(token->ca_hash, kHash);
  EXPECT_EQ(token->credential, "server:s3cr3t");
  EXPECT_FALSE(parse_bootstrap_token(token->credential).has_value());
}

TEST(PkiJoinTokenTest, ParsesTheBootstrapForm) {
  auto token = parse_join_token("K10" + kHash + "::abc123.0123456789abcdef");
  ASSERT_TRUE(token.has_value());
  EXPECT_EQ(token->credential, "abc123.0123456789abcdef");
  auto bootstrap = parse_bootstrap_token(token->credential);
  ASSERT_TRUE(bootstrap.has_value());
  EXPECT_EQ(bootstrap->id, "abc123");
  EXPECT_EQ(bootstrap->secret, "0123456789abcdef");
}

TEST(PkiJoinTokenTest, StrRoundTrips) {
  JoinToken token{kHash, "server:" + random_token_chars(32)};
  EXPECT_EQ(token.str(), "K10" + kHash + "::" + token.credential);
  auto parsed = parse_join_token(token.str());
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->ca_hash, token.ca_hash);
  EXPECT_EQ(parsed->credential, token.credential);
}

TEST(PkiJoinTokenTest, TrailingNewlineFromAFileIsIgnoredAndUpperCaseHashLowered) {
  std::string upper = kHash;
  std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
  auto token = parse_join_token("K10" + upper + "::server:x\n");
  ASSERT_TRUE(token.has_value());
  EXPECT_EQ(token->ca_hash, kHash);
  EXPECT_EQ(token->credential, "server:x");
}

TEST(PkiJoinTokenTest, MalformedTokensAreRejectedWithAMessage) {
  EXPECT_EQ(rejection(""), "not a valid join token: it is empty");
  EXPECT_EQ(
      rejection("K11" + kHash + "::server:x"),
      "not a valid join token: it does not start with K10 (expected K10<CA hash>::<credential>)");
  EXPECT_EQ(rejection("K10" + kHash.substr(0, 63) + "::server:x"),
            "not a valid join token: the CA hash must be 64 hex digits, it has 63 characters");
  std::string not_hex = kHash;
  not_hex[10] = 'g';
  EXPECT_EQ(rejection("K10" + not_hex + "::server:x"),
            "not a valid join token: the CA hash holds a character that is not a hex digit");
  EXPECT_EQ(rejection("K10" + kHash + ":server:x"),
            "not a valid join token: '::' between the CA hash and the credential is missing");
  EXPECT_EQ(rejection("K10" + kHash + "::"),
            "not a valid join token: the credential after '::' is empty");
  EXPECT_EQ(rejection("K10" + kHash + "::server:a b"),
            "not a valid join token: the credential holds a space or a non-printable character");
}

TEST(PkiJoinTokenTest, MessagesNeverQuoteTheSecret) {
  EXPECT_EQ(rejection("K10" + kHash.substr(1) + "::server:topsecret").find("topsecret"),
            std::string::npos);
}

TEST(PkiJoinTokenTest, ErrorIsOptional) {
  EXPECT_FALSE(parse_join_token("nonsense").has_value());
}

TEST(PkiJoinTokenTest, BootstrapTokenGrammar) {
  EXPECT_TRUE(parse_bootstrap_token("abcdef.0123456789abcdef").has_value());
  EXPECT_TRUE(parse_bootstrap_token("000000.zzzzzzzzzzzzzzzz").has_value());
  for (const std::string bad :
       {"", "abcdef0123456789abcdef", "abcde.0123456789abcdef", "abcdefg.0123456789abcdef",
        "abcdef.0123456789abcde", "abcdef.0123456789abcdef0", "ABCDEF.0123456789abcdef",
        "abcdef.0123456789abcdeF", "abc-ef.0123456789abcdef", "abcdef:0123456789abcdef",
        "server:0123456789abcdef"})
    EXPECT_FALSE(parse_bootstrap_token(bad).has_value()) << bad;
}

TEST(PkiJoinTokenTest, RandomTokenCharsHaveTheAlphabetAndLength) {
  EXPECT_EQ(random_token_chars(0), "");
  std::string chars = random_token_chars(4000);
  ASSERT_EQ(chars.size(), 4000u);
  std::set<char> seen(chars.begin(), chars.end());
  for (char c : seen) EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) << c;
  EXPECT_EQ(seen.size(), 36u);  // 4000 draws miss one of 36 characters with p < 1e-40
  EXPECT_NE(random_token_chars(16), random_token_chars(16));
  EXPECT_TRUE(parse_bootstrap_token(random_token_chars(6) + "." + random_token_chars(16)));
}

TEST(PkiJoinTokenTest, SameSecret) {
  EXPECT_TRUE(same_secret("0123456789abcdef", "0123456789abcdef"));
  EXPECT_FALSE(same_secret("0123456789abcdef", "0123456789abcdeg"));
  EXPECT_FALSE(same_secret("0123456789abcdef", "0123456789abcde"));
  EXPECT_FALSE(same_secret("", "x"));
  EXPECT_TRUE(same_secret("", ""));
}

}  // namespace
}  // namespace skiff::pki
