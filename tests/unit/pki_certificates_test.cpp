// Certificates as skiff makes them: CA and leaves verify, SANs and subjects read back, bad
// input is refused with a message that says what is wrong; CSRs; renewal window; key files.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "pkg/pki/pki.h"

namespace skiff::pki {
namespace {

using namespace std::chrono_literals;

// The message of the PkiError `action` throws ("" when it throws none).
template <typename Action>
std::string error_of(Action&& action) {
  try {
    action();
  } catch (const PkiError& error) {
    return error.what();
  }
  return "";
}

LeafRequest server_request() {
  LeafRequest request;
  request.subject = {"skiff-server", {}};
  request.usage = Usage::ServerAuth;
  request.dns_names = {"localhost", "kubernetes.default.svc.cluster.local"};
  request.ip_addresses = {"127.0.0.1", "10.43.0.1", "fd00::1"};
  return request;
}

LeafRequest admin_request() {
  LeafRequest request;
  request.subject = {"system:admin", {"system:masters", "skiff:admins"}};
  request.usage = Usage::ClientAuth;
  return request;
}

class PkiCertificatesTest : public ::testing::Test {
 protected:
  // One CA for the suite: making keys is the slow part.
  static const KeyPair& ca() {
    static const KeyPair shared = create_ca("skiff-server-ca");
    return shared;
  }
};

TEST_F(PkiCertificatesTest, GeneratedKeyIsPkcs8Pem) {
  std::string key = generate_key();
  EXPECT_EQ(key.rfind("-----BEGIN PRIVATE KEY-----", 0), 0u) << key;
  EXPECT_NE(generate_key(), key);
}

TEST_F(PkiCertificatesTest, CaIsSelfSignedCaValidForTenYears) {
  CertificateInfo info = inspect(ca().certificate_pem);
  EXPECT_TRUE(info.is_ca);
  EXPECT_EQ(info.subject.common_name, "skiff-server-ca");
  EXPECT_EQ(info.issuer_common_name, "skiff-server-ca");
  auto left = info.not_after - Clock::now();
  EXPECT_GT(left, 24h * 365 * 10 - 1min);
  EXPECT_LE(left, 24h * 365 * 10);
  EXPECT_EQ(verify(ca().certificate_pem, ca().certificate_pem), "");
  EXPECT_NO_THROW(check_key_matches(ca().key_pem, ca().certificate_pem));
}

TEST_F(PkiCertificatesTest, CaFromAGivenKeyKeepsIt) {
  std::string key = generate_key();
  KeyPair ca = create_ca("again", 24h, key);
  EXPECT_EQ(ca.key_pem, key);
  EXPECT_NO_THROW(check_key_matches(key, ca.certificate_pem));
}

TEST_F(PkiCertificatesTest, LeafVerifiesAgainstItsCa) {
  KeyPair leaf = issue(ca(), server_request());
  EXPECT_EQ(verify(leaf.certificate_pem, ca().certificate_pem), "");
  EXPECT_NO_THROW(check_key_matches(leaf.key_pem, leaf.certificate_pem));
  CertificateInfo info = inspect(leaf.certificate_pem);
  EXPECT_FALSE(info.is_ca);
  EXPECT_EQ(info.issuer_common_name, "skiff-server-ca");
}

TEST_F(PkiCertificatesTest, LeafFromAnotherCaFailsWithAReason) {
  KeyPair other_ca = create_ca("someone-else");
  KeyPair stranger = issue(other_ca, admin_request());
  EXPECT_EQ(verify(stranger.certificate_pem, ca().certificate_pem),
            "unable to get local issuer certificate");
  // ...and is accepted once its CA is in the bundle.
  EXPECT_EQ(verify(stranger.certificate_pem, ca().certificate_pem + other_ca.certificate_pem), "");
}

TEST_F(PkiCertificatesTest, ExpiredLeafFails) {
  LeafRequest request = admin_request();
  request.validity = 1h;
  KeyPair leaf = issue(ca(), request);
  EXPECT_EQ(verify(leaf.certificate_pem, ca().certificate_pem, Clock::now() + 30min), "");
  EXPECT_EQ(verify(leaf.certificate_pem, ca().certificate_pem, Clock::now() + 2h),
            "certificate has expired");
  EXPECT_EQ(verify(leaf.certificate_pem, ca().certificate_pem, Clock::now() - 1h),
            "certificate is not yet valid");
}

TEST_F(PkiCertificatesTest, ValidityAndBackdateAreAsAsked) {
  LeafRequest request = admin_request();
  request.validity = 48h;
  request.backdate = 10min;
  auto before = Clock::now();
  CertificateInfo info = inspect(issue(ca(), request).certificate_pem);
  auto after = Clock::now();
  // Certificate times have whole seconds.
  EXPECT_GE(info.not_before, before - 10min - 1s);
  EXPECT_LE(info.not_before, after - 10min);
  EXPECT_GE(info.not_after, before + 48h - 1s);
  EXPECT_LE(info.not_after, after + 48h);
}

TEST_F(PkiCertificatesTest, SubjectAltNamesReadBack) {
  CertificateInfo info = inspect(issue(ca(), server_request()).certificate_pem);
  EXPECT_EQ(info.dns_names,
            (std::vector<std::string>{"localhost", "kubernetes.default.svc.cluster.local"}));
  EXPECT_EQ(info.ip_addresses, (std::vector<std::string>{"127.0.0.1", "10.43.0.1", "fd00::1"}));
}

TEST_F(PkiCertificatesTest, SubjectReadsBack) {
  CertificateInfo info = inspect(issue(ca(), admin_request()).certificate_pem);
  EXPECT_EQ(info.subject.common_name, "system:admin");
  EXPECT_EQ(info.subject.organizations,
            (std::vector<std::string>{"system:masters", "skiff:admins"}));
  EXPECT_TRUE(info.dns_names.empty());
  EXPECT_TRUE(info.ip_addresses.empty());
}

TEST_F(PkiCertificatesTest, SerialsAreRandom128Bit) {
  std::string first = inspect(issue(ca(), admin_request()).certificate_pem).serial_hex;
  std::string second = inspect(issue(ca(), admin_request()).certificate_pem).serial_hex;
  EXPECT_NE(first, second);
  EXPECT_LE(first.size(), 32u);
  EXPECT_GE(first.size(), 24u);  // leading zero bytes are dropped; more than 4 is a broken RNG
  EXPECT_TRUE(std::all_of(first.begin(), first.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  })) << first;
}

TEST_F(PkiCertificatesTest, LeafWithAGivenKeyKeepsIt) {
  LeafRequest request = admin_request();
  request.key_pem = generate_key();
  KeyPair leaf = issue(ca(), request);
  EXPECT_EQ(leaf.key_pem, request.key_pem);
  EXPECT_NO_THROW(check_key_matches(request.key_pem, leaf.certificate_pem));
}

TEST_F(PkiCertificatesTest, KeyCertificateMismatchThrows) {
  KeyPair leaf = issue(ca(), admin_request());
  EXPECT_EQ(error_of([&] { check_key_matches(generate_key(), leaf.certificate_pem); }),
            "the key does not match the certificate");
}

TEST_F(PkiCertificatesTest, GarbagePemThrowsAClearMessage) {
  EXPECT_NE(error_of([] { inspect("hello"); }).find("not a PEM certificate"), std::string::npos);
  EXPECT_NE(error_of([] { inspect(""); }).find("not a PEM certificate"), std::string::npos);
  EXPECT_NE(error_of([&] {
              check_key_matches("garbage", ca().certificate_pem);
            }).find("not a PEM private key"),
            std::string::npos);
  EXPECT_NE(
      error_of([&] { verify("garbage", ca().certificate_pem); }).find("not a PEM certificate"),
      std::string::npos);
  EXPECT_EQ(error_of([&] { verify(ca().certificate_pem, "no bundle here"); }),
            "the CA bundle holds no PEM certificate");
  EXPECT_NE(error_of([] { create_ca("x", 24h, "not a key"); }).find("not a PEM private key"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              read_csr(
                  "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n"
                  "-----END CERTIFICATE REQUEST-----\n");
            }).find("not a PEM certificate signing request"),
            std::string::npos);
}

TEST_F(PkiCertificatesTest, BadRequestsAreRefused) {
  LeafRequest request = server_request();
  request.ip_addresses = {"10.0.0.300"};
  EXPECT_EQ(error_of([&] { issue(ca(), request); }),
            "not an IP address for subjectAltName: \"10.0.0.300\"");
  request = server_request();
  request.dns_names = {"evil,IP:1.2.3.4"};
  EXPECT_EQ(error_of([&] { issue(ca(), request); }),
            "not a valid DNS name for subjectAltName: \"evil,IP:1.2.3.4\"");
  request = admin_request();
  request.subject.common_name = "";
  EXPECT_EQ(error_of([&] { issue(ca(), request); }), "the subject's common name (CN) is empty");
  request = admin_request();
  request.validity = 0s;
  EXPECT_EQ(error_of([&] { issue(ca(), request); }), "the certificate validity must be positive");
}

TEST_F(PkiCertificatesTest, SigningNeedsAMatchingCaThatIsACa) {
  KeyPair leaf = issue(ca(), admin_request());
  EXPECT_EQ(error_of([&] { issue(leaf, admin_request()); }),
            "the signing certificate is not a CA (basicConstraints CA:TRUE is missing)");
  KeyPair mixed_up{generate_key(), ca().certificate_pem};
  EXPECT_EQ(error_of([&] { issue(mixed_up, admin_request()); }),
            "the CA key does not match the CA certificate");
}

// --- CSRs ---

std::string base64_decode_pem_body(const std::string& pem) {
  std::string body;
  std::istringstream lines(pem);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind("-----", 0) != 0) body += line;
  std::string der(body.size(), '\0');
  int length = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(der.data()),
                               reinterpret_cast<const unsigned char*>(body.data()),
                               static_cast<int>(body.size()));
  der.resize(static_cast<size_t>(length) - std::count(body.end() - 2, body.end(), '='));
  return der;
}

std::string csr_pem_of(const std::string& der) {
  std::string base64(4 * ((der.size() + 2) / 3) + 1, '\0');
  int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(base64.data()),
                               reinterpret_cast<const unsigned char*>(der.data()),
                               static_cast<int>(der.size()));
  base64.resize(static_cast<size_t>(length));
  std::string pem = "-----BEGIN CERTIFICATE REQUEST-----\n";
  for (size_t i = 0; i < base64.size(); i += 64) pem += base64.substr(i, 64) + "\n";
  return pem + "-----END CERTIFICATE REQUEST-----\n";
}

TEST_F(PkiCertificatesTest, CsrRoundTripAndCertificateForItsKey) {
  std::string node_key = generate_key();
  Subject node{"system:node:pi-1", {"system:nodes"}};
  std::string csr = create_csr(node_key, node);
  CsrContents contents = read_csr(csr);
  EXPECT_EQ(contents.subject.common_name, "system:node:pi-1");
  EXPECT_EQ(contents.subject.organizations, std::vector<std::string>{"system:nodes"});
  EXPECT_EQ(contents.public_key_pem.rfind("-----BEGIN PUBLIC KEY-----", 0), 0u);

  LeafRequest request;
  request.subject = contents.subject;
  request.key_pem = generate_key();  // ignored: the certificate is for the CSR's key
  std::string certificate = issue_for_public_key(ca(), contents.public_key_pem, request);
  EXPECT_NO_THROW(check_key_matches(node_key, certificate));
  EXPECT_EQ(error_of([&] { check_key_matches(request.key_pem, certificate); }),
            "the key does not match the certificate");
  EXPECT_EQ(verify(certificate, ca().certificate_pem), "");
  EXPECT_EQ(inspect(certificate).subject.common_name, "system:node:pi-1");
}

TEST_F(PkiCertificatesTest, TamperedCsrIsRefused) {
  std::string csr = create_csr(generate_key(), {"system:node:pi-1", {"system:nodes"}});
  std::string der = base64_decode_pem_body(csr);
  ASSERT_EQ(csr_pem_of(der), csr);  // the helpers round-trip an untouched CSR
  size_t name = der.find("system:node:pi-1");
  ASSERT_NE(name, std::string::npos);
  der[name + 12] = 'q';  // system:node:qi-1: another node's identity, same length
  EXPECT_EQ(error_of([&] { read_csr(csr_pem_of(der)); }),
            "the CSR's signature does not verify (altered, or not signed by its key)");
}

TEST_F(PkiCertificatesTest, NotAPublicKeyIsRefused) {
  EXPECT_NE(error_of([&] {
              issue_for_public_key(ca(), "nope", admin_request());
            }).find("not a PEM public key"),
            std::string::npos);
}

// --- renewal ---

TEST(PkiRenewalTest, RenewsWithinNinetyDaysOrWhenExpired) {
  auto now = Clock::now();
  CertificateInfo info;
  info.not_after = now + 24h * 91;
  EXPECT_FALSE(needs_renewal(info, now));
  info.not_after = now + 24h * 89;
  EXPECT_TRUE(needs_renewal(info, now));
  info.not_after = now - 1h;
  EXPECT_TRUE(needs_renewal(info, now));
  info.not_after = now + 2h;
  EXPECT_FALSE(needs_renewal(info, now, 1h));
  EXPECT_TRUE(needs_renewal(info, now, 3h));
}

TEST(PkiRenewalTest, FreshYearLongLeafNeedsNoRenewalUntilNineMonthsOn) {
  KeyPair ca = create_ca("ca");
  LeafRequest request = admin_request();
  request.validity = 24h * 365;
  CertificateInfo info = inspect(issue(ca, request).certificate_pem);
  EXPECT_FALSE(needs_renewal(info, Clock::now()));
  EXPECT_FALSE(needs_renewal(info, Clock::now() + 24h * 274));
  EXPECT_TRUE(needs_renewal(info, Clock::now() + 24h * 276));
}

TEST(PkiDigestTest, Sha256OfAbcIsTheKnownVector) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

// --- files ---

class PkiFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "pki-files-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    directory_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }

  static unsigned mode_of(const std::filesystem::path& path) {
    struct stat info {};
    EXPECT_EQ(stat(path.c_str(), &info), 0) << path;
    return info.st_mode & 07777;
  }
  size_t entries_in(const std::filesystem::path& path) const {
    return static_cast<size_t>(std::distance(std::filesystem::directory_iterator(path),
                                             std::filesystem::directory_iterator()));
  }

  std::filesystem::path directory_;
};

TEST_F(PkiFilesTest, WritesWithExactModeAndCreatesPrivateParents) {
  auto path = directory_ / "server" / "tls" / "ca.key";
  mode_t previous = umask(0);  // a permissive umask must not widen the file
  write_file(path.string(), "secret", 0600);
  umask(previous);
  EXPECT_EQ(mode_of(path), 0600u);
  EXPECT_EQ(mode_of(directory_ / "server"), 0700u);
  EXPECT_EQ(mode_of(directory_ / "server" / "tls"), 0700u);
  EXPECT_EQ(read_file(path.string()), "secret");

  // ...and a strict umask must not narrow it.
  previous = umask(077);
  write_file((directory_ / "ca.crt").string(), "public", 0644);
  umask(previous);
  EXPECT_EQ(mode_of(directory_ / "ca.crt"), 0644u);
}

TEST_F(PkiFilesTest, ReplacesAtomicallyLeavingNoTemporaryFile) {
  auto path = directory_ / "node.key";
  write_file(path.string(), "old and longer", 0644);
  write_file(path.string(), "new", 0600);
  EXPECT_EQ(read_file(path.string()), "new");
  EXPECT_EQ(mode_of(path), 0600u);  // the replacement has its own mode, not the old file's
  EXPECT_EQ(entries_in(directory_), 1u);
}

TEST_F(PkiFilesTest, FailuresNameThePath) {
  auto missing = (directory_ / "missing.crt").string();
  EXPECT_NE(error_of([&] { read_file(missing); }).find(missing), std::string::npos);
  write_file((directory_ / "plain").string(), "x", 0600);
  auto below_a_file = (directory_ / "plain" / "ca.key").string();
  EXPECT_NE(error_of([&] { write_file(below_a_file, "x", 0600); }).find("is not a directory"),
            std::string::npos);
  EXPECT_EQ(entries_in(directory_), 1u);
}

}  // namespace
}  // namespace skiff::pki
