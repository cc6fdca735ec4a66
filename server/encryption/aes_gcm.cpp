#include "server/encryption/aes_gcm.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <climits>
#include <memory>

namespace skiff::encryption {
namespace {

struct ContextDeleter {
  void operator()(EVP_CIPHER_CTX* context) const { EVP_CIPHER_CTX_free(context); }
};
using ContextPtr = std::unique_ptr<EVP_CIPHER_CTX, ContextDeleter>;

const unsigned char* bytes(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}
unsigned char* bytes(std::string& text) {
  return reinterpret_cast<unsigned char*>(text.data());
}

int checked_length(std::string_view text) {
  if (text.size() > static_cast<size_t>(INT_MAX)) throw CipherError("value too large to encrypt");
  return static_cast<int>(text.size());
}

// A context set up for AES-256-GCM with `key` and `nonce`, in the given direction.
ContextPtr make_context(std::string_view key, std::string_view nonce, bool encrypt) {
  if (key.size() != kAesKeySize)
    throw CipherError("AES-256-GCM needs a 32-byte key, got " + std::to_string(key.size()));
  ContextPtr context(EVP_CIPHER_CTX_new());
  if (!context) throw CipherError("cannot allocate a cipher context");
  // The nonce length is the GCM default (12), so no IVLEN control call is needed.
  const int ok = EVP_CipherInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, bytes(key),
                                   bytes(nonce), encrypt ? 1 : 0);
  if (ok != 1) throw CipherError("cannot initialise AES-256-GCM");
  return context;
}

void add_associated_data(EVP_CIPHER_CTX* context, std::string_view associated_data) {
  if (associated_data.empty()) return;
  int ignored = 0;
  if (EVP_CipherUpdate(context, nullptr, &ignored, bytes(associated_data),
                       checked_length(associated_data)) != 1)
    throw CipherError("cannot add associated data");
}

}  // namespace

std::string random_bytes(size_t count) {
  std::string out(count, '\0');
  if (count > static_cast<size_t>(INT_MAX) || RAND_bytes(bytes(out), static_cast<int>(count)) != 1)
    throw CipherError("the random number generator failed");
  return out;
}

std::string aes_gcm_seal(std::string_view key, std::string_view plaintext,
                         std::string_view associated_data) {
  const std::string nonce = random_bytes(kGcmNonceSize);
  ContextPtr context = make_context(key, nonce, true);
  add_associated_data(context.get(), associated_data);

  std::string sealed = nonce;
  sealed.resize(kGcmNonceSize + plaintext.size() + kGcmTagSize);
  unsigned char* out = bytes(sealed) + kGcmNonceSize;
  int written = 0;
  if (!plaintext.empty() && EVP_CipherUpdate(context.get(), out, &written, bytes(plaintext),
                                             checked_length(plaintext)) != 1)
    throw CipherError("encryption failed");
  int final_written = 0;
  if (EVP_CipherFinal_ex(context.get(), out + written, &final_written) != 1)
    throw CipherError("encryption failed");
  unsigned char* tag = out + written + final_written;
  if (EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_GET_TAG, kGcmTagSize, tag) != 1)
    throw CipherError("cannot read the GCM tag");
  return sealed;
}

std::string aes_gcm_open(std::string_view key, std::string_view sealed,
                         std::string_view associated_data) {
  if (sealed.size() < kGcmNonceSize + kGcmTagSize)
    throw CipherError("encrypted value is too short (" + std::to_string(sealed.size()) + " bytes)");
  const std::string_view nonce = sealed.substr(0, kGcmNonceSize);
  const std::string_view ciphertext =
      sealed.substr(kGcmNonceSize, sealed.size() - kGcmNonceSize - kGcmTagSize);
  std::string tag(sealed.substr(sealed.size() - kGcmTagSize));

  ContextPtr context = make_context(key, nonce, false);
  add_associated_data(context.get(), associated_data);
  std::string plaintext(ciphertext.size(), '\0');
  int written = 0;
  if (!ciphertext.empty() && EVP_CipherUpdate(context.get(), bytes(plaintext), &written,
                                              bytes(ciphertext), checked_length(ciphertext)) != 1)
    throw CipherError("decryption failed");
  if (EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_TAG, kGcmTagSize, tag.data()) != 1)
    throw CipherError("cannot set the GCM tag");
  int final_written = 0;
  if (EVP_CipherFinal_ex(context.get(), bytes(plaintext) + written, &final_written) != 1)
    throw CipherError("the encrypted value failed authentication (wrong key or tampered data)");
  plaintext.resize(static_cast<size_t>(written + final_written));
  return plaintext;
}

}  // namespace skiff::encryption
