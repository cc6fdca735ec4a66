#pragma once
// How `skiff kubectl` reports failures. Every error a command throws is a KubectlError whose
// what() is the exact line(s) to print on stderr, worded like kubectl's.
#include <functional>
#include <stdexcept>
#include <string>

#include "pkg/api/json.h"

namespace skiff::kubectl {

class KubectlError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A failure before or outside the server: printed as "error: <message>".
KubectlError usage_error(const std::string& message);

// An HTTP error answer from the API server.
class ServerError : public KubectlError {
 public:
  ServerError(long http_status, std::string reason, const std::string& printed, Json status);
  long http_status() const { return http_status_; }
  const std::string& reason() const { return reason_; }  // "NotFound", "AlreadyExists", ...
  bool not_found() const { return http_status_ == 404; }
  const Json& status() const { return status_; }  // the Status body, or null

 private:
  long http_status_;
  std::string reason_;
  Json status_;
};

// Builds the ServerError for an answer with `http_status` >= 400 and `body`, printed the way
// kubectl prints it (KUBECTL.md section 12). `operation` describes the request for bodies that
// are not Status objects ("get configmaps x"); `context` is inserted before the message, e.g.
// `error when creating "app.yaml": `.
ServerError server_error(long http_status, const std::string& body, const std::string& operation,
                         const std::string& context = "");

// Runs a command body for the small skiff commands that talk to the API (token,
// secrets-encrypt): its exit code, or 1 after printing what went wrong (a KubectlError as is,
// anything else as "error: ...").
int exit_code_reporting_errors(const std::function<int()>& body);

}  // namespace skiff::kubectl
