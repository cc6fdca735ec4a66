// Deployment and ReplicaSet validation (k8s.io/kubernetes/pkg/apis/apps/validation).
#include <cctype>

#include "pkg/api/field_errors.h"
#include "pkg/api/selectors.h"
#include "pkg/api/validation.h"

namespace skiff::api::validation {

namespace {

void non_negative(const Json& spec, const char* field, const Path& path, Errors& errors) {
  const Json* v = get(spec, field);
  if (!v) return;
  if (!v->is_number_integer()) {
    errors.invalid(path.child(field), *v, "must be an integer");
  } else if (v->get<long long>() < 0) {
    errors.invalid(path.child(field), *v, "must be greater than or equal to 0");
  }
}

// An IntOrString that is an int >= 0 or "<n>%"; returns the value (percent as-is), -1 if bad.
long long int_or_percent(const Json& value, const Path& path, Errors& errors, bool* percent) {
  *percent = false;
  if (value.is_number_integer()) {
    if (value.get<long long>() < 0) {
      errors.invalid(path, value, "must be greater than or equal to 0");
      return -1;
    }
    return value.get<long long>();
  }
  if (value.is_string()) {
    const std::string& s = value.get_ref<const std::string&>();
    bool digits = s.size() > 1 && s.back() == '%';
    for (size_t i = 0; digits && i + 1 < s.size(); ++i) {
      digits = std::isdigit(static_cast<unsigned char>(s[i])) != 0;
    }
    if (digits && s.size() < 12) {
      *percent = true;
      return std::stoll(s.substr(0, s.size() - 1));
    }
  }
  errors.invalid(path, value,
                 "a valid percent string must be a numeric string followed by an "
                 "ending '%' (e.g. '1%',  or '93%', regex used for validation is "
                 "'[0-9]+%')");
  return -1;
}

void validate_strategy(const Json& strategy, const Path& path, Errors& errors) {
  std::string type = get_string(strategy, "type");
  const Json* rolling = get(strategy, "rollingUpdate");
  if (type == "Recreate") {
    if (rolling) {
      errors.forbidden(path.child("rollingUpdate"),
                       "may not be specified when strategy `type` is 'Recreate'");
    }
    return;
  }
  if (type != "RollingUpdate") {
    if (!type.empty() || get(strategy, "type")) {
      errors.not_supported(path.child("type"), get(strategy, "type") ? strategy["type"] : Json(""),
                           {"Recreate", "RollingUpdate"});
    }
    return;
  }
  if (!rolling) return;
  Path rp = path.child("rollingUpdate");
  bool surge_percent = false, unavailable_percent = false;
  long long surge = 0, unavailable = 0;
  const Json* max_surge = get(*rolling, "maxSurge");
  const Json* max_unavailable = get(*rolling, "maxUnavailable");
  if (max_surge) surge = int_or_percent(*max_surge, rp.child("maxSurge"), errors, &surge_percent);
  if (max_unavailable) {
    unavailable =
        int_or_percent(*max_unavailable, rp.child("maxUnavailable"), errors, &unavailable_percent);
    if (unavailable_percent && unavailable > 100) {
      errors.invalid(rp.child("maxUnavailable"), *max_unavailable, "must not be greater than 100%");
    }
  }
  if (max_surge && max_unavailable && surge == 0 && unavailable == 0) {
    errors.invalid(rp.child("maxUnavailable"), *max_unavailable,
                   "may not be 0 when `maxSurge` is 0");
  }
}

void validate_selector_and_template(const Json& spec, const Path& path, Errors& errors) {
  const Json* selector = get(spec, "selector");
  bool selector_ok = false;
  LabelSelector parsed;
  if (!selector) {
    errors.required(path.child("selector"));
  } else {
    try {
      parsed = LabelSelector::from_json(*selector);
      selector_ok = true;
      if (parsed.empty()) {
        errors.invalid(path.child("selector"), *selector,
                       "empty selector is invalid for deployment");
        selector_ok = false;
      }
    } catch (const ApiError& e) {
      errors.invalid(path.child("selector"), *selector, e.what());
    }
  }
  const Json* template_ = get(spec, "template");
  Path tp = path.child("template");
  if (!template_ || !template_->is_object()) {
    errors.required(tp);
    return;
  }
  Json labels = Json::object();
  if (const Json* metadata = get(*template_, "metadata")) {
    if (const Json* l = get(*metadata, "labels")) {
      labels = *l;
      validate_labels(labels, tp.child("metadata").child("labels"), errors);
    }
  }
  if (selector_ok && labels.is_object() && !parsed.matches(labels)) {
    errors.invalid(tp.child("metadata").child("labels"), labels,
                   "`selector` does not match template `labels`");
  }
  if (const Json* pod_spec = get(*template_, "spec")) {
    validate_pod_spec(*pod_spec, tp.child("spec"), true, errors);
  } else {
    errors.required(tp.child("spec").child("containers"));
  }
}

Json normalized_selector(const Json& object) {
  const Json* spec = get(object, "spec");
  const Json* selector = spec ? get(*spec, "selector") : nullptr;
  if (!selector || !selector->is_object()) return Json::object();
  Json out = Json::object();
  for (const auto& [k, v] : selector->items()) {
    if (!v.is_null() && !(v.is_object() && v.empty()) && !(v.is_array() && v.empty())) out[k] = v;
  }
  return out;
}

}  // namespace

void validate_workload(const std::string& kind, const Json& object, const Json* old,
                       Errors& errors) {
  const Json* spec = get(object, "spec");
  Path path("spec");
  if (!spec || !spec->is_object()) {
    errors.required(path.child("selector"));
    errors.required(path.child("template"));
    return;
  }
  non_negative(*spec, "replicas", path, errors);
  non_negative(*spec, "minReadySeconds", path, errors);
  validate_selector_and_template(*spec, path, errors);
  if (kind == "Deployment") {
    non_negative(*spec, "revisionHistoryLimit", path, errors);
    if (const Json* strategy = get(*spec, "strategy")) {
      validate_strategy(*strategy, path.child("strategy"), errors);
    }
    const Json* deadline = get(*spec, "progressDeadlineSeconds");
    if (deadline && deadline->is_number_integer()) {
      long long min_ready = 0;
      if (const Json* m = get(*spec, "minReadySeconds"); m && m->is_number_integer()) {
        min_ready = m->get<long long>();
      }
      if (deadline->get<long long>() <= min_ready) {
        errors.invalid(path.child("progressDeadlineSeconds"), *deadline,
                       "must be greater than minReadySeconds");
      }
    }
  }
  if (old && get(*old, "spec")) {
    Json before = normalized_selector(*old);
    Json now = normalized_selector(object);
    if (before != now) errors.immutable(path.child("selector"), now);
  }
}

}  // namespace skiff::api::validation
