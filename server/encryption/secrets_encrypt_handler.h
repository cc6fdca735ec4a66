#pragma once
// The HTTP face of secrets encryption, for the server to mount (admin only; the auth layer in
// front decides that):
//   GET  /v1-skiff/secrets-encrypt/status       -> to_json(EncryptionStatus)
//   POST /v1-skiff/secrets-encrypt/rotate-keys  -> to_json(RotationResult)
// Errors are Kubernetes Status bodies: 400 when the server runs without --secrets-encryption,
// 405 for another method, 404 for another path under the prefix, 500 when rotation fails.
#include <optional>

#include "pkg/http/server.h"
#include "server/encryption/secrets_encryption.h"

namespace skiff::encryption {

inline constexpr const char* kSecretsEncryptPathPrefix = "/v1-skiff/secrets-encrypt/";

// True for paths this handler answers (everything under kSecretsEncryptPathPrefix).
bool is_secrets_encrypt_path(const std::string& path);

// `encryption` is null when the server runs without --secrets-encryption.
http::Response handle_secrets_encrypt(const http::Request& request, SecretsEncryption* encryption);

}  // namespace skiff::encryption
