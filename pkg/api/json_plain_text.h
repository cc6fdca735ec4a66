#pragma once
// Where a JSON string's text stops being "plain": printable ASCII other than '"' and '\'. Such
// runs are copied as they are both ways (json_text.cpp writes them, json_read.cpp reads them);
// everything else needs an escape, a UTF-8 check or the end of the string.
//
// API objects are mostly long plain runs (names, images, base64 data), and scanning them a byte
// at a time was the largest part of serializing an object (a 1 KiB ConfigMap: 16,000
// instructions of the 245,000 the server spends on its create). Sixteen bytes are tested at
// once with SSE2 where the compiler targets it (every x86-64), then eight at once with word
// arithmetic (any 64-bit machine: the Raspberry Pi's ARM), then the rest one at a time.
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace skiff::api {

inline bool is_plain_json_char(unsigned char c) {
  return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

// True when one of the eight bytes of `word` is not plain.
inline bool has_non_plain_byte(std::uint64_t word) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHighs = 0x8080808080808080ULL;
  // A byte below `n` (n <= 0x80) borrows in `word - n * kOnes` and keeps its high bit clear in
  // `word`: the classic test for "some byte is less than n", exact as a yes/no.
  const auto has_byte_below = [](std::uint64_t bytes, std::uint64_t n) {
    return (bytes - n * kOnes) & ~bytes & kHighs;
  };
  return ((word & kHighs) | has_byte_below(word, 0x20) | has_byte_below(word ^ ('"' * kOnes), 1) |
          has_byte_below(word ^ ('\\' * kOnes), 1)) != 0;
}

// The first byte of [at, end) that is not plain, or `end`.
inline const char* skip_plain_json_text(const char* at, const char* end) {
#if defined(__SSE2__)
  const __m128i space = _mm_set1_epi8(0x20);
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  while (end - at >= 16) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(at));
    // The comparison is signed: bytes from 0x80 up are negative, so "below 0x20" flags them
    // along with the control characters.
    const __m128i special =
        _mm_or_si128(_mm_cmplt_epi8(bytes, space),
                     _mm_or_si128(_mm_cmpeq_epi8(bytes, quote), _mm_cmpeq_epi8(bytes, backslash)));
    const int mask = _mm_movemask_epi8(special);
    if (mask != 0) return at + __builtin_ctz(static_cast<unsigned>(mask));
    at += 16;
  }
#endif
  while (end - at >= 8) {
    std::uint64_t word;
    std::memcpy(&word, at, sizeof word);
    if (has_non_plain_byte(word)) break;
    at += 8;
  }
  while (at != end && is_plain_json_char(static_cast<unsigned char>(*at))) ++at;
  return at;
}

}  // namespace skiff::api
