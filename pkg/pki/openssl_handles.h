#pragma once
// Internal to pkg/pki: owning handles for the OpenSSL objects the PKI code uses, and the PEM
// conversions every file needs. Nothing here is part of the public interface (pki.h).
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>

#include "pkg/pki/pki.h"

namespace skiff::pki::detail {

// One deleter per OpenSSL type, so each handle is a plain move-only unique_ptr.
template <auto FreeFunction>
struct OpenSslDeleter {
  template <typename T>
  void operator()(T* pointer) const {
    FreeFunction(pointer);
  }
};
template <typename T, auto FreeFunction>
using OpenSslPtr = std::unique_ptr<T, OpenSslDeleter<FreeFunction>>;

using BioPtr = OpenSslPtr<BIO, BIO_free_all>;
using PkeyPtr = OpenSslPtr<EVP_PKEY, EVP_PKEY_free>;
using X509Ptr = OpenSslPtr<X509, X509_free>;
using X509ReqPtr = OpenSslPtr<X509_REQ, X509_REQ_free>;
using X509NamePtr = OpenSslPtr<X509_NAME, X509_NAME_free>;
using X509ExtensionPtr = OpenSslPtr<X509_EXTENSION, X509_EXTENSION_free>;
using X509StorePtr = OpenSslPtr<X509_STORE, X509_STORE_free>;
using X509StoreCtxPtr = OpenSslPtr<X509_STORE_CTX, X509_STORE_CTX_free>;
using BignumPtr = OpenSslPtr<BIGNUM, BN_free>;
using Asn1IntegerPtr = OpenSslPtr<ASN1_INTEGER, ASN1_INTEGER_free>;
using GeneralNamesPtr = OpenSslPtr<GENERAL_NAMES, GENERAL_NAMES_free>;
using GeneralNamePtr = OpenSslPtr<GENERAL_NAME, GENERAL_NAME_free>;

// Memory OpenSSL allocated for us (BN_bn2hex...).
struct OpenSslFree {
  void operator()(void* pointer) const { OPENSSL_free(pointer); }
};
using OpenSslString = std::unique_ptr<char, OpenSslFree>;

// Throws PkiError(`what`). The OpenSSL error queue is cleared so that a later, unrelated check
// on this thread does not see a stale entry. Its text is not added: OpenSSL's reasons ("EVP
// lib", "no start line") do not help the user; `what` must say what went wrong.
[[noreturn]] void fail(const std::string& what);

// --- PEM (pem.cpp) ---
// Each parser throws PkiError naming what the text is not ("not a PEM private key"...).
PkeyPtr parse_private_key(const std::string& pem);
PkeyPtr parse_public_key(const std::string& pem);
X509Ptr parse_certificate(const std::string& pem);  // the first one of a bundle
X509ReqPtr parse_csr(const std::string& pem);

std::string private_key_pem(EVP_PKEY* key);  // PKCS#8
std::string public_key_pem(EVP_PKEY* key);   // SubjectPublicKeyInfo
std::string certificate_pem(X509* certificate);
std::string csr_pem(X509_REQ* request);

// --- names (names.cpp) ---
X509NamePtr make_name(const Subject& subject);  // O entries in order, then CN
Subject read_subject(const X509_NAME* name);
std::string read_common_name(const X509_NAME* name);

}  // namespace skiff::pki::detail
