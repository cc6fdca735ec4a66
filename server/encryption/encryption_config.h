#pragma once
// The secrets encryption key file, `<data-dir>/server/cred/encryption-config.json` (mode 0600),
// in the shape of Kubernetes' EncryptionConfiguration so a k3s/Kubernetes user can read it:
//
//   {"apiVersion": "apiserver.config.k8s.io/v1", "kind": "EncryptionConfiguration",
//    "resources": [{"resources": ["secrets"],
//                   "providers": [{"aesgcm": {"keys": [{"name": "aesgcmkey-...",
//                                                       "secret": "<base64 of 32 bytes>"}]}},
//                                 {"identity": {}}]}]}
//
// The first key encrypts, every key decrypts, and values with no envelope are read as plaintext
// (the identity provider) so encryption can be turned on over existing data.
//
// Scope: only `secrets`, only aesgcm (+ identity after it). Anything else in the file (other
// resources, aescbc/secretbox/kms providers, identity first) is refused with an error naming
// it: a key this code does not understand is never silently dropped.
#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "pkg/api/json.h"

namespace skiff::encryption {

class EncryptionConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct EncryptionKey {
  std::string name;    // appears in every value it encrypts: k8s:enc:aesgcm:v1:<name>:
  std::string secret;  // 32 raw bytes (AES-256)
};

struct EncryptionConfig {
  std::vector<EncryptionKey> keys;  // never empty once parsed; keys[0] encrypts
};

// `<data_dir>/server/cred/encryption-config.json`
std::string encryption_config_path(const std::string& data_dir);

// Throws EncryptionConfigError naming `source` (the path) and the offending field.
EncryptionConfig parse_encryption_config(const Json& document, const std::string& source);
Json encryption_config_json(const EncryptionConfig& config);

// Reads and parses; throws EncryptionConfigError (missing file, bad JSON, bad shape).
EncryptionConfig load_encryption_config(const std::string& path);
// Writes atomically (temp file, fsync, rename) with mode 0600, creating the parent directory
// with mode 0700. Throws EncryptionConfigError naming the path.
void save_encryption_config(const std::string& path, const EncryptionConfig& config);
// The file's config; when the file does not exist, a new one with one fresh key is written
// first. A file that exists but is malformed is an error, never replaced.
EncryptionConfig load_or_create_encryption_config(const std::string& path);

// A new random key named "aesgcmkey-<UTC time, RFC 3339>", with "-2", "-3"... appended when
// `existing` already has that name.
EncryptionKey generate_encryption_key(
    const std::vector<EncryptionKey>& existing,
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

}  // namespace skiff::encryption
