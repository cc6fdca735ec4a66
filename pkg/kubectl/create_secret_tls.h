#pragma once
// `kubectl create secret tls NAME --cert=FILE --key=FILE`: a kubernetes.io/tls Secret with
// data tls.crt and tls.key (base64), after kubectl's checks: both files given and readable, the
// certificate file holds a PEM certificate, the key file a PEM private key, and the key belongs
// to the certificate. Errors are usage_errors worded like kubectl's (Go's crypto/tls).
#include <string>

#include "pkg/api/json.h"

namespace skiff::kubectl {

struct TlsSecretRequest {
  std::string name;
  std::string namespace_name;
  std::string cert_path;
  std::string key_path;
};

Json build_tls_secret(const TlsSecretRequest& request);

// The key-pair check alone, on PEM text; "" when the pair is usable, else kubectl's message.
std::string check_tls_key_pair(const std::string& cert_pem, const std::string& key_pem);

}  // namespace skiff::kubectl
