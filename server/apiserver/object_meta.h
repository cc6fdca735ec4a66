#pragma once
// Object metadata the server owns: uid, creationTimestamp, name generation, generation, and
// what an update may and may not change. Pure functions of (current, desired).
#include <string>

#include "pkg/api/json.h"
#include "pkg/api/resources.h"

namespace skiff::apiserver {

std::string new_uid();  // random RFC 4122 version 4 UUID
// `length` random characters from the Kubernetes name-suffix alphabet (no vowels, no 0/1/3).
std::string random_name_suffix(size_t length = 5);

// Kinds with a desired state in `spec` track metadata.generation (ConfigMap, Secret and other
// kinds without spec do not).
bool tracks_generation(const api::ResourceInfo& resource, const Json& object);

// Stamps server-owned metadata on a new object: kind/apiVersion, namespace (from the URL; the
// caller has checked a body namespace matches), name from generateName, uid, creationTimestamp,
// generation 1; clears resourceVersion and deletion fields a client must not set.
void prepare_for_create(const api::ResourceInfo& resource, Json& object,
                        const std::string& namespace_name);

// Which part of the object an update may change.
enum class UpdateScope {
  Main,    // everything except status (for kinds with a status subresource)
  Status,  // only status
};

// Turns a client's desired object into the object to store: copies the immutable metadata
// (uid, creationTimestamp, name, namespace, deletion fields) from `current`, keeps the stored
// status (Main) or everything but status (Status), and bumps generation when spec changed.
Json merge_for_update(const api::ResourceInfo& resource, const Json& current, Json desired,
                      UpdateScope scope);

// metadata.resourceVersion as a revision; 0 when absent/empty; 400 when not a number.
int64_t resource_version_of(const Json& object);
int64_t parse_resource_version(const std::string& text);

bool has_deletion_timestamp(const Json& object);
bool has_finalizers(const Json& object);

}  // namespace skiff::apiserver
