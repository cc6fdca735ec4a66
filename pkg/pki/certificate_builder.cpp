// Builds and signs one X509v3 certificate (see certificate_builder.h for the shape).
#include "pkg/pki/certificate_builder.h"

#include <openssl/err.h>
#include <openssl/rand.h>

#include <algorithm>

namespace skiff::pki::detail {

namespace {

using Ia5StringPtr = OpenSslPtr<ASN1_IA5STRING, ASN1_IA5STRING_free>;
using OctetStringPtr = OpenSslPtr<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free>;

// RFC 5280 asks for a positive serial of at most 20 octets; 128 random bits make collisions
// between certificates of one CA negligible (and the serial unpredictable).
void set_random_serial(X509* certificate) {
  unsigned char bytes[16];
  BignumPtr number;
  do {
    if (RAND_bytes(bytes, sizeof bytes) != 1) fail("no random bytes for a certificate serial");
    number.reset(BN_bin2bn(bytes, sizeof bytes, nullptr));
    if (!number) fail("out of memory building a certificate serial");
  } while (BN_is_zero(number.get()));
  Asn1IntegerPtr serial(BN_to_ASN1_INTEGER(number.get(), nullptr));
  if (!serial || X509_set_serialNumber(certificate, serial.get()) != 1)
    fail("cannot set the certificate serial");
}

void set_validity(X509* certificate, std::chrono::seconds validity, std::chrono::seconds backdate) {
  if (validity.count() <= 0) fail("the certificate validity must be positive");
  if (backdate.count() < 0) fail("the certificate backdate must not be negative");
  auto now = Clock::now();
  time_t not_before = Clock::to_time_t(now - backdate);
  time_t not_after = Clock::to_time_t(now + validity);
  if (!ASN1_TIME_set(X509_getm_notBefore(certificate), not_before) ||
      !ASN1_TIME_set(X509_getm_notAfter(certificate), not_after))
    fail("cannot set the certificate validity");
}

// Extensions whose value OpenSSL's config syntax expresses safely (fixed strings, no user text).
void add_extension(X509* certificate, X509V3_CTX* context, int nid, const char* value) {
  X509ExtensionPtr extension(X509V3_EXT_nconf_nid(nullptr, context, nid, value));
  if (!extension || X509_add_ext(certificate, extension.get(), -1) != 1)
    fail(std::string("cannot add the certificate extension ") + OBJ_nid2sn(nid) + "=" + value);
}

bool valid_dns_name(const std::string& name) {
  if (name.empty() || name.size() > 253) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '*' || c == '_';
  });
}

// subjectAltName is built as a structure, not from config text, so that a name holding ',' or
// ':' can never smuggle in another entry.
void add_subject_alt_names(X509* certificate, const std::vector<std::string>& dns_names,
                           const std::vector<std::string>& ip_addresses) {
  if (dns_names.empty() && ip_addresses.empty()) return;
  GeneralNamesPtr names(GENERAL_NAMES_new());
  if (!names) fail("out of memory building subjectAltName");
  auto append = [&](int type, void* value) {
    GeneralNamePtr name(GENERAL_NAME_new());
    if (!name) fail("out of memory building subjectAltName");
    GENERAL_NAME_set0_value(name.get(), type, value);  // `name` owns `value` from here
    if (sk_GENERAL_NAME_push(names.get(), name.get()) == 0)
      fail("out of memory building subjectAltName");
    name.release();  // owned by `names` now
  };
  for (const auto& dns_name : dns_names) {
    if (!valid_dns_name(dns_name))
      fail("not a valid DNS name for subjectAltName: \"" + dns_name + "\"");
    Ia5StringPtr text(ASN1_IA5STRING_new());
    if (!text ||
        ASN1_STRING_set(text.get(), dns_name.data(), static_cast<int>(dns_name.size())) != 1)
      fail("out of memory building subjectAltName");
    append(GEN_DNS, text.release());
  }
  for (const auto& address : ip_addresses) {
    OctetStringPtr octets(a2i_IPADDRESS(address.c_str()));  // IPv4 and IPv6 text
    if (!octets) {
      ERR_clear_error();
      fail("not an IP address for subjectAltName: \"" + address + "\"");
    }
    append(GEN_IPADD, octets.release());
  }
  if (X509_add1_ext_i2d(certificate, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT) != 1)
    fail("cannot add subjectAltName to the certificate");
}

}  // namespace

X509Ptr build_certificate(const CertificateSpec& spec) {
  X509Ptr certificate(X509_new());
  if (!certificate) fail("out of memory building a certificate");
  X509* self = certificate.get();
  X509* issuer = spec.issuer ? spec.issuer : self;

  if (X509_set_version(self, X509_VERSION_3) != 1) fail("cannot set the certificate version");
  set_random_serial(self);
  set_validity(self, spec.validity, spec.backdate);
  if (X509_set_subject_name(self, spec.subject) != 1 ||
      X509_set_issuer_name(self, X509_get_subject_name(issuer)) != 1)
    fail("cannot set the certificate's names");
  if (X509_set_pubkey(self, spec.public_key) != 1) fail("cannot set the certificate's public key");

  X509V3_CTX context;
  X509V3_set_ctx(&context, issuer, self, nullptr, nullptr, 0);
  // The subject key identifier first: for a self-signed CA the authority key identifier is
  // copied from it.
  add_extension(self, &context, NID_subject_key_identifier, "hash");
  add_extension(self, &context, NID_authority_key_identifier, "keyid:always");
  if (spec.is_ca) {
    add_extension(self, &context, NID_basic_constraints, "critical,CA:TRUE");
    add_extension(self, &context, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_extension(self, &context, NID_basic_constraints, "critical,CA:FALSE");
    // ECDSA keys sign (TLS 1.2 ECDHE and TLS 1.3); keyEncipherment is an RSA-only usage.
    add_extension(self, &context, NID_key_usage, "critical,digitalSignature");
    add_extension(self, &context, NID_ext_key_usage,
                  spec.usage == Usage::ServerAuth ? "serverAuth" : "clientAuth");
    add_subject_alt_names(self, spec.dns_names, spec.ip_addresses);
  }

  if (X509_sign(self, spec.signing_key, EVP_sha256()) <= 0) fail("cannot sign the certificate");
  return certificate;
}

}  // namespace skiff::pki::detail
