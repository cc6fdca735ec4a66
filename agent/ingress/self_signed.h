#pragma once
// A self-signed ECDSA P-256 certificate made with OpenSSL, as PEM. For the ingress' default
// certificate (what a client sees for a host no Secret covers).
#include <string>
#include <vector>

namespace skiff::agent::ingress {

struct PemKeyPair {
  std::string certificate;
  std::string private_key;
};

// Throws std::runtime_error with OpenSSL's reason when generation fails.
PemKeyPair make_self_signed(const std::string& common_name,
                            const std::vector<std::string>& dns_names, int valid_days);

}  // namespace skiff::agent::ingress
