// JSON merge patch (RFC 7386) and JSON patch (RFC 6902). Strategic merge patch lives in
// strategic_merge.cpp.
//
// Errors: a patch document of the wrong shape is 400 BadRequest; a well-formed patch that cannot
// be applied to this object (missing path, failed `test`) is 422 Invalid, as Kubernetes answers.
#include <string>
#include <vector>

#include "pkg/api/errors.h"
#include "pkg/api/patch.h"

namespace skiff::api {

namespace {

[[noreturn]] void cannot_apply(const std::string& detail) {
  throw ApiError(422, "Invalid",
                 "the server rejected our request due to an error in our request: " + detail);
}

// RFC 6901 pointer, split and unescaped ("/a~1b/0" -> {"a/b", "0"}).
std::vector<std::string> parse_pointer(const std::string& pointer, const std::string& op) {
  std::vector<std::string> tokens;
  if (pointer.empty()) return tokens;
  if (pointer.front() != '/') {
    throw bad_request("json patch " + op + " operation has an invalid path \"" + pointer +
                      "\": a JSON pointer must be empty or start with '/'");
  }
  size_t start = 1;
  while (true) {
    size_t slash = pointer.find('/', start);
    std::string raw = pointer.substr(start, slash == std::string::npos ? slash : slash - start);
    std::string token;
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '~' && i + 1 < raw.size() && (raw[i + 1] == '0' || raw[i + 1] == '1')) {
        token += raw[i + 1] == '0' ? '~' : '/';
        ++i;
      } else {
        token += raw[i];
      }
    }
    tokens.push_back(std::move(token));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return tokens;
}

// An array index token: digits only, no leading zeros; returns -1 when it is not one.
long long array_index(const std::string& token) {
  if (token.empty() || token.size() > 9) return -1;
  if (token.size() > 1 && token.front() == '0') return -1;
  for (char c : token) {
    if (c < '0' || c > '9') return -1;
  }
  return std::stoll(token);
}

class JsonPatcher {
 public:
  explicit JsonPatcher(Json document) : doc_(std::move(document)) {}

  void apply(const Json& operation, size_t index) {
    if (!operation.is_object()) {
      throw bad_request("json patch operation " + std::to_string(index) + " is not an object");
    }
    op_ = string_member(operation, "op", index);
    path_ = string_member(operation, "path", index);
    auto tokens = parse_pointer(path_, op_);
    if (op_ == "add") {
      add(tokens, value_member(operation, index));
    } else if (op_ == "remove") {
      remove(tokens);
    } else if (op_ == "replace") {
      Json value = value_member(operation, index);
      locate(tokens) = std::move(value);
    } else if (op_ == "move" || op_ == "copy") {
      std::string from = string_member(operation, "from", index);
      auto from_tokens = parse_pointer(from, op_);
      if (op_ == "move" && path_.rfind(from + "/", 0) == 0) {
        cannot_apply("json patch move operation cannot move \"" + from +
                     "\" into its own child \"" + path_ + "\"");
      }
      Json value = locate(from_tokens, from);
      if (op_ == "move") remove(from_tokens, from);
      add(tokens, std::move(value));
    } else if (op_ == "test") {
      Json expected = value_member(operation, index);
      const Json& actual = locate(tokens);
      if (actual != expected) {
        cannot_apply("json patch test operation failed at \"" + path_ + "\": expected " +
                     expected.dump() + ", found " + actual.dump());
      }
    } else {
      throw bad_request("json patch operation " + std::to_string(index) + " has unknown op \"" +
                        op_ + "\" (expected add, remove, replace, move, copy or test)");
    }
  }

  Json take() { return std::move(doc_); }

 private:
  static std::string string_member(const Json& operation, const char* name, size_t index) {
    auto it = operation.find(name);
    if (it == operation.end() || !it->is_string()) {
      throw bad_request("json patch operation " + std::to_string(index) +
                        " is missing the string \"" + name + "\"");
    }
    return it->get<std::string>();
  }

  Json value_member(const Json& operation, size_t index) const {
    auto it = operation.find("value");
    if (it == operation.end()) {
      throw bad_request("json patch " + op_ + " operation " + std::to_string(index) + " at \"" +
                        path_ + "\" is missing \"value\"");
    }
    return *it;
  }

  [[noreturn]] void missing(const std::string& where) const {
    cannot_apply("json patch " + op_ + " operation does not apply: doc is missing path: \"" +
                 where + "\"");
  }

  // The existing value at `tokens`.
  Json& locate(const std::vector<std::string>& tokens, const std::string& where = "") {
    const std::string& shown = where.empty() ? path_ : where;
    Json* node = &doc_;
    for (const auto& token : tokens) {
      if (node->is_object()) {
        auto it = node->find(token);
        if (it == node->end()) missing(shown);
        node = &*it;
      } else if (node->is_array()) {
        long long i = array_index(token);
        if (i < 0 || static_cast<size_t>(i) >= node->size()) missing(shown);
        node = &(*node)[static_cast<size_t>(i)];
      } else {
        missing(shown);
      }
    }
    return *node;
  }

  Json& parent_of(const std::vector<std::string>& tokens, const std::string& where) {
    std::vector<std::string> parent(tokens.begin(), tokens.end() - 1);
    return locate(parent, where);
  }

  void add(const std::vector<std::string>& tokens, Json value) {
    if (tokens.empty()) {
      doc_ = std::move(value);
      return;
    }
    Json& parent = parent_of(tokens, path_);
    const std::string& last = tokens.back();
    if (parent.is_object()) {
      parent[last] = std::move(value);
    } else if (parent.is_array()) {
      if (last == "-") {
        parent.push_back(std::move(value));
        return;
      }
      long long i = array_index(last);
      if (i < 0 || static_cast<size_t>(i) > parent.size()) {
        cannot_apply("json patch add operation index out of range at \"" + path_ + "\"");
      }
      parent.insert(parent.begin() + i, std::move(value));
    } else {
      missing(path_);
    }
  }

  void remove(const std::vector<std::string>& tokens, const std::string& where = "") {
    const std::string& shown = where.empty() ? path_ : where;
    if (tokens.empty()) {
      doc_ = nullptr;
      return;
    }
    Json& parent = parent_of(tokens, shown);
    const std::string& last = tokens.back();
    if (parent.is_object()) {
      if (parent.erase(last) == 0) missing(shown);
    } else if (parent.is_array()) {
      long long i = array_index(last);
      if (i < 0 || static_cast<size_t>(i) >= parent.size()) missing(shown);
      parent.erase(static_cast<size_t>(i));
    } else {
      missing(shown);
    }
  }

  Json doc_;
  std::string op_;
  std::string path_;
};

}  // namespace

Json apply_merge_patch(const Json& target, const Json& patch) {
  if (!patch.is_object()) {
    throw bad_request("a merge patch must be a JSON object, got " + std::string(patch.type_name()));
  }
  Json result = target;
  result.merge_patch(patch);
  return result;
}

Json apply_json_patch(const Json& target, const Json& patch) {
  if (!patch.is_array()) {
    throw bad_request("a json patch must be a JSON array of operations, got " +
                      std::string(patch.type_name()));
  }
  JsonPatcher patcher(target);
  for (size_t i = 0; i < patch.size(); ++i) patcher.apply(patch[i], i);
  return patcher.take();
}

}  // namespace skiff::api
