#pragma once
// Small helpers every Store backend shares: stamping resourceVersion, prefix ranges, and the
// wording of StoreErrors (so memory, sqlite and etcd report failures identically).
#include <cstdint>
#include <optional>
#include <string>

#include "server/store/store.h"

namespace skiff::store {

// Sets metadata.resourceVersion to `revision` as a decimal string. Throws
// std::invalid_argument when `object` is not a JSON object (a caller bug, not a store state).
void stamp_revision(Json& object, int64_t revision);
// An object's stored text, written before its revision is known so that the store's one writer
// thread need not write it: the object's JSON text with an empty metadata.resourceVersion,
// and where the revision's digits go.
struct PreparedText {
  std::string text;
  size_t revision_at = 0;  // just after the opening quote of resourceVersion's value
};
// Sets `object`'s metadata.resourceVersion to "" and returns its text as above. nullopt when
// `object` or its metadata is not a JSON object, or its text cannot be written (invalid
// UTF-8): the writer then stamps and writes it itself, failing as it always did.
std::optional<PreparedText> prepare_text(Json& object);
// The text of the object stamped with `revision` (stamp_revision): json_text of it, exactly.
std::string stamped_text(PreparedText prepared, int64_t revision);

// The revision a stored object carries in metadata.resourceVersion; 0 when it has none.
int64_t revision_of(const Json& object);

// The smallest key greater than every key starting with `prefix`, or nullopt when there is
// none (empty prefix, or all bytes 0xff): the exclusive upper bound of a prefix range scan.
std::optional<std::string> prefix_upper_bound(const std::string& prefix);

StoreError not_found_error(const std::string& key);
StoreError already_exists_error(const std::string& key);
StoreError conflict_error(const std::string& key, int64_t expected_revision,
                          int64_t stored_revision);

}  // namespace skiff::store
