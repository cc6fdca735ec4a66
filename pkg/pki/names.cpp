// Subject names: who a certificate or CSR names (O = groups, CN = user).
#include "pkg/pki/openssl_handles.h"

namespace skiff::pki::detail {

namespace {

void add_entry(X509_NAME* name, int nid, const std::string& value, const char* what) {
  if (value.empty()) fail(std::string("the subject's ") + what + " is empty");
  const auto* bytes = reinterpret_cast<const unsigned char*>(value.data());
  if (X509_NAME_add_entry_by_NID(name, nid, MBSTRING_UTF8, bytes, static_cast<int>(value.size()),
                                 -1, 0) != 1)
    fail(std::string("the subject's ") + what + " \"" + value + "\" is not allowed");
}

std::string entry_text(const X509_NAME_ENTRY* entry) {
  const ASN1_STRING* data = X509_NAME_ENTRY_get_data(entry);
  unsigned char* raw = nullptr;
  int length = ASN1_STRING_to_UTF8(&raw, data);
  std::unique_ptr<unsigned char, OpenSslFree> utf8(raw);
  if (length < 0) fail("a subject entry is not valid text");
  return std::string(reinterpret_cast<const char*>(utf8.get()), static_cast<size_t>(length));
}

}  // namespace

X509NamePtr make_name(const Subject& subject) {
  X509NamePtr name(X509_NAME_new());
  if (!name) fail("out of memory building a subject name");
  for (const auto& organization : subject.organizations)
    add_entry(name.get(), NID_organizationName, organization, "organization (O)");
  add_entry(name.get(), NID_commonName, subject.common_name, "common name (CN)");
  return name;
}

Subject read_subject(const X509_NAME* name) {
  Subject subject;
  for (int i = 0; i < X509_NAME_entry_count(name); ++i) {
    const X509_NAME_ENTRY* entry = X509_NAME_get_entry(name, i);
    int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(entry));
    if (nid == NID_organizationName) subject.organizations.push_back(entry_text(entry));
    // The most specific (last) CN wins, as TLS libraries read it.
    if (nid == NID_commonName) subject.common_name = entry_text(entry);
  }
  return subject;
}

std::string read_common_name(const X509_NAME* name) {
  return read_subject(name).common_name;
}

}  // namespace skiff::pki::detail
