// Reading certificates back: what one says, whether it chains to a CA, when to renew it.
#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <cctype>
#include <ctime>

#include "pkg/pki/openssl_handles.h"

namespace skiff::pki {

namespace {

Clock::time_point to_time_point(const ASN1_TIME* time) {
  std::tm parts{};
  if (ASN1_TIME_to_tm(time, &parts) != 1) detail::fail("the certificate has an unreadable date");
  return Clock::from_time_t(timegm(&parts));
}

std::string ip_text(const ASN1_OCTET_STRING* octets) {
  int family = 0;
  if (ASN1_STRING_length(octets) == 4) family = AF_INET;
  if (ASN1_STRING_length(octets) == 16) family = AF_INET6;
  if (family == 0) detail::fail("the certificate has a subjectAltName IP of an unknown length");
  char text[INET6_ADDRSTRLEN] = {};
  if (!inet_ntop(family, ASN1_STRING_get0_data(octets), text, sizeof text))
    detail::fail("the certificate has an unreadable subjectAltName IP");
  return text;
}

void read_subject_alt_names(X509* certificate, CertificateInfo& info) {
  int critical = 0;
  detail::GeneralNamesPtr names(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(certificate, NID_subject_alt_name, &critical, nullptr)));
  if (!names) return;  // none
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type == GEN_DNS) {
      const ASN1_IA5STRING* text = name->d.dNSName;
      info.dns_names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(text)),
                                  static_cast<size_t>(ASN1_STRING_length(text)));
    } else if (name->type == GEN_IPADD) {
      info.ip_addresses.push_back(ip_text(name->d.iPAddress));
    }
  }
}

std::string serial_hex(X509* certificate) {
  detail::BignumPtr number(ASN1_INTEGER_to_BN(X509_get0_serialNumber(certificate), nullptr));
  if (!number) detail::fail("the certificate serial cannot be read");
  detail::OpenSslString hex(BN_bn2hex(number.get()));
  if (!hex) detail::fail("the certificate serial cannot be read");
  std::string text(hex.get());
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// Every certificate of a PEM bundle; throws when there is none.
detail::X509StorePtr trust_store(const std::string& bundle_pem) {
  detail::X509StorePtr store(X509_STORE_new());
  if (!store) detail::fail("out of memory building a trust store");
  detail::BioPtr bio(BIO_new_mem_buf(bundle_pem.data(), static_cast<int>(bundle_pem.size())));
  if (!bio) detail::fail("out of memory reading the CA bundle");
  int count = 0;
  while (true) {
    detail::X509Ptr certificate(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!certificate) break;
    if (X509_STORE_add_cert(store.get(), certificate.get()) != 1)
      detail::fail("cannot add a CA certificate to the trust store");
    ++count;
  }
  ERR_clear_error();  // the end of the bundle reads as an error
  if (count == 0) detail::fail("the CA bundle holds no PEM certificate");
  return store;
}

}  // namespace

CertificateInfo inspect(const std::string& certificate_pem) {
  auto certificate = detail::parse_certificate(certificate_pem);
  CertificateInfo info;
  info.subject = detail::read_subject(X509_get_subject_name(certificate.get()));
  info.issuer_common_name = detail::read_common_name(X509_get_issuer_name(certificate.get()));
  info.not_before = to_time_point(X509_get0_notBefore(certificate.get()));
  info.not_after = to_time_point(X509_get0_notAfter(certificate.get()));
  read_subject_alt_names(certificate.get(), info);
  info.is_ca = (X509_get_extension_flags(certificate.get()) & EXFLAG_CA) != 0;
  info.serial_hex = serial_hex(certificate.get());
  return info;
}

std::string verify(const std::string& certificate_pem, const std::string& ca_bundle_pem,
                   Clock::time_point now) {
  auto certificate = detail::parse_certificate(certificate_pem);
  auto store = trust_store(ca_bundle_pem);
  detail::X509StoreCtxPtr context(X509_STORE_CTX_new());
  if (!context || X509_STORE_CTX_init(context.get(), store.get(), certificate.get(), nullptr) != 1)
    detail::fail("cannot set up certificate verification");
  X509_STORE_CTX_set_time(context.get(), 0, Clock::to_time_t(now));
  if (X509_verify_cert(context.get()) == 1) return "";
  int error = X509_STORE_CTX_get_error(context.get());
  ERR_clear_error();
  return X509_verify_cert_error_string(error);
}

bool needs_renewal(const CertificateInfo& certificate, Clock::time_point now,
                   std::chrono::seconds window) {
  return certificate.not_after - now <= window;
}

}  // namespace skiff::pki
