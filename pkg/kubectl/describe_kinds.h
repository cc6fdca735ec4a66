#pragma once
// Per-kind describers (internal to describe): each writes everything above "Events:".
#include "pkg/api/json.h"
#include "pkg/kubectl/describe_writer.h"

namespace skiff::kubectl {

void describe_pod(DescribeWriter& w, const Json& pod);
void describe_deployment(DescribeWriter& w, const Json& deployment);
void describe_replicaset(DescribeWriter& w, const Json& replicaset);
// The "Containers:" block of a pod spec at `level` (shared by Pod and Pod Template).
void describe_containers(DescribeWriter& w, int level, const Json& spec, const Json& statuses);
void describe_conditions(DescribeWriter& w, const Json& conditions, bool with_reason);

}  // namespace skiff::kubectl
