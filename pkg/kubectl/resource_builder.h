#pragma once
// `-f` sources -> API objects: files, directories (with -R also subdirectories; only .yaml,
// .yml and .json files), "-" for stdin, and http(s) URLs. Multi-document YAML and JSON are
// accepted, `kind: List` (and *List) documents are expanded into their items.
#include <istream>
#include <string>
#include <vector>

#include "pkg/api/json.h"

namespace skiff::kubectl {

struct ManifestObject {
  Json object;
  std::string source;  // the file name, URL or "STDIN" it came from (for messages)
};

// Throws KubectlError: `error: the path "x" does not exist`, `error: error parsing x.yaml:
// line 4, column 3: ...`, `error: unable to decode "x.yaml": Object 'Kind' is missing ...`.
std::vector<ManifestObject> read_manifests(const std::vector<std::string>& sources, bool recursive,
                                           std::istream& stdin_stream);

// One text (already read) -> objects; `source` names it in errors.
std::vector<ManifestObject> parse_manifest_text(const std::string& text, const std::string& source);

}  // namespace skiff::kubectl
