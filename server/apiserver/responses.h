#pragma once
// Building HTTP responses at the API edge: objects and lists as JSON, errors as Status,
// Warning headers. Every API body is `Content-Type: application/json`.
#include <string>
#include <vector>

#include "pkg/api/errors.h"
#include "pkg/api/json.h"
#include "pkg/api/resources.h"
#include "pkg/http/server.h"

namespace skiff::apiserver {

http::Response json_response(unsigned status, const Json& body,
                             const std::vector<std::string>& warnings = {});
// Serialized JSON body already in hand (avoids re-serializing).
http::Response raw_json_response(unsigned status, std::string body,
                                 const std::vector<std::string>& warnings = {});
http::Response error_response(const api::ApiError& error);
// The Status response for the exception being handled (call inside a catch block): an
// ApiError as it is, a StoreError as 503 or 500, a JSON type error as 400, anything else 500.
http::Response current_error_response();
http::Response text_response(unsigned status, std::string text);

// A Status{status: Success} body for deletes and bindings.
Json success_status(const api::ResourceInfo& resource, const std::string& name,
                    const std::string& uid = "");

// Ensures `object` carries the resource's kind and apiVersion (R9).
void set_type_meta(const api::ResourceInfo& resource, Json& object);
// `Warning: 299 - "<text>"` value, quoting as RFC 7234 asks.
std::string warning_header_value(const std::string& text);

}  // namespace skiff::apiserver
