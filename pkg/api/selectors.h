#pragma once
// Label and field selectors as the Kubernetes API parses and applies them.
#include <string>
#include <string_view>
#include <vector>

#include "pkg/api/json.h"

namespace skiff::api {

// Label selector: "a=b,c!=d,e in (x,y),f notin (z),g,!h" (also "=="), or the structured
// {matchLabels, matchExpressions} form from Deployment/ReplicaSet specs.
// Parse errors throw ApiError 400 (bad_request) with a message naming the bad term.
class LabelSelector {
 public:
  enum class Op { Equals, NotEquals, In, NotIn, Exists, DoesNotExist };
  struct Requirement {
    std::string key;
    Op op;
    std::vector<std::string> values;
  };

  LabelSelector() = default;  // matches everything
  static LabelSelector parse(std::string_view text);
  // From a metav1.LabelSelector JSON object; null/empty object matches everything.
  static LabelSelector from_json(const Json& selector);

  // `labels` is metadata.labels (object or null).
  bool matches(const Json& labels) const;
  bool empty() const { return requirements_.empty(); }
  const std::vector<Requirement>& requirements() const { return requirements_; }
  // Canonical text form, e.g. "app=web,tier in (a,b)".
  std::string to_string() const;

 private:
  std::vector<Requirement> requirements_;
};

// Field selector: "metadata.name=x,status.phase!=Failed" (=, ==, !=). Only the fields the
// resource supports are accepted (all kinds: metadata.name, metadata.namespace; pods:
// spec.nodeName, status.phase, status.podIP, spec.restartPolicy, spec.schedulerName,
// spec.serviceAccountName; events: involvedObject.{kind,namespace,name,uid,apiVersion,
// resourceVersion,fieldPath}, reason, source, type; secrets: type; nodes: spec.unschedulable;
// namespaces: status.phase; replicasets: status.replicas). Unsupported fields throw ApiError 400
// `field label not supported: <field>`.
class FieldSelector {
 public:
  struct Requirement {
    std::string field;
    bool equals;  // false for !=
    std::string value;
  };
  FieldSelector() = default;  // matches everything
  // `kind` is the object Kind ("Pod"), used to decide which fields are supported.
  static FieldSelector parse(std::string_view text, std::string_view kind);
  bool matches(const Json& object) const;
  bool empty() const { return requirements_.empty(); }
  const std::vector<Requirement>& requirements() const { return requirements_; }

 private:
  std::vector<Requirement> requirements_;
};

// The value of a supported field on an object ("" when absent), e.g. for "spec.nodeName".
std::string field_value(const Json& object, std::string_view field);

}  // namespace skiff::api
