#pragma once
// AES-256-GCM as Kubernetes' aesgcm provider uses it: a fresh random 12-byte nonce per value,
// the 16-byte tag after the ciphertext, and caller-chosen additional authenticated data (the
// storage key, so a ciphertext copied to another key does not decrypt). OpenSSL EVP only.
//
// Does not: derive keys, manage nonces across processes (random nonces: fine for the number
// of writes a small cluster makes per key, and rotation resets the count).
#include <stdexcept>
#include <string>
#include <string_view>

namespace skiff::encryption {

inline constexpr size_t kAesKeySize = 32;
inline constexpr size_t kGcmNonceSize = 12;
inline constexpr size_t kGcmTagSize = 16;

// Any failure of this layer (bad key size, OpenSSL failure, authentication failure).
class CipherError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// `count` bytes from OpenSSL's CSPRNG. Throws CipherError.
std::string random_bytes(size_t count);

// nonce (12) + ciphertext + tag (16). `key` must be 32 bytes. Throws CipherError.
std::string aes_gcm_seal(std::string_view key, std::string_view plaintext,
                         std::string_view associated_data);

// The plaintext of what aes_gcm_seal made. Throws CipherError when `sealed` is too short, the
// key is wrong, or the data or associated data were changed (the tag does not verify).
std::string aes_gcm_open(std::string_view key, std::string_view sealed,
                         std::string_view associated_data);

}  // namespace skiff::encryption
