#pragma once
// The admission steps shared by every write: type checks against the URL, fieldValidation,
// server-owned metadata, defaulting, validation (422) and the namespace lifecycle checks.
#include <string>

#include "pkg/api/json.h"
#include "server/apiserver/object_meta.h"
#include "server/apiserver/request_context.h"

namespace skiff::apiserver {

// 400 when the body's kind/apiVersion/namespace/name contradict the URL (name only when the URL
// has one). Missing kind/apiVersion are filled in.
void check_against_url(const RequestContext& context, Json& object);

// For a new object: fieldValidation, metadata (uid, name from generateName...), defaults,
// validation, and the namespace must exist and not be terminating (404 / 403).
void admit_create(RequestContext& context, Json& object);

// For an update of `current` with the client's `desired`: fieldValidation, immutable metadata,
// status rules per `scope`, generation, defaults, validation.
Json admit_update(RequestContext& context, const Json& current, Json desired, UpdateScope scope);

// The name a new object is stored under: 422 when it has neither name nor generateName.
std::string name_to_create(const RequestContext& context, const Json& object);

// Stores a new object (or, for dry runs, returns it as it would be stored). 409 AlreadyExists.
store::ObjectPtr persist_create(RequestContext& context, Json object);

// 404 `namespaces "x" not found` / 403 when the namespace is terminating.
void check_namespace_accepts_writes(store::Store& store, const std::string& namespace_name);

}  // namespace skiff::apiserver
