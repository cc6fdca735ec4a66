// `kubectl logs POD [-c C] [-f] [--tail N] [--since D] [--timestamps] [--previous]
// [--limit-bytes N]`: reads pods/POD/log; with -f prints the stream as it arrives and exits 0
// when the server ends it (the container stopped).
#include <ostream>

#include "pkg/kubectl/commands.h"
#include "pkg/kubectl/encoding.h"
#include "pkg/kubectl/errors.h"
#include "pkg/kubectl/pod_container.h"
#include "pkg/util/duration.h"

namespace skiff::kubectl {
namespace {

void declare_logs_flags(util::Flags& flags) {
  flags.add_string("container,c", "", "Print the logs of this container");
  flags.add_bool("follow,f", false, "Specify if the logs should be streamed");
  flags.add_int("tail", -1, "Lines of recent log file to display (-1: all)");
  flags.add_string("since", "", "Only return logs newer than a relative duration like 5s, 2m");
  flags.add_bool("timestamps", false, "Include timestamps on each line in the log output");
  flags.add_bool("previous,p", false,
                 "Print the logs for the previous instance of the container, if it exists");
  flags.add_int("limit-bytes", 0, "Maximum bytes of logs to return (0: no limit)");
}

std::string log_query(Context& ctx, const std::string& container) {
  std::string query = "?container=" + url_encode(container);
  if (ctx.flags.get_bool("follow")) query += "&follow=true";
  if (ctx.flags.get_bool("previous")) query += "&previous=true";
  if (ctx.flags.get_bool("timestamps")) query += "&timestamps=true";
  if (const long long tail = ctx.flags.get_int("tail"); tail >= 0)
    query += "&tailLines=" + std::to_string(tail);
  if (const long long limit = ctx.flags.get_int("limit-bytes"); limit > 0)
    query += "&limitBytes=" + std::to_string(limit);
  if (const std::string since = ctx.flags.get_string("since"); !since.empty()) {
    auto duration = util::parse_duration(since);
    if (!duration) throw usage_error("invalid argument \"" + since + "\" for \"--since\" flag");
    const auto seconds = std::chrono::ceil<std::chrono::seconds>(*duration).count();
    query += "&sinceSeconds=" + std::to_string(std::max<long long>(seconds, 1));
  }
  return query;
}

int run_logs(Context& ctx) {
  const auto& args = ctx.flags.positional();
  if (args.empty())
    throw usage_error(
        "expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\n"
        "POD or TYPE/NAME is a required argument for the logs command");
  if (args.size() > 2) throw usage_error("logs takes a pod and at most one container name");
  const std::string name = resolve_pod_argument(ctx, args[0], "logs");
  const std::string namespace_name = ctx.namespace_name();
  const std::string path = pod_path(namespace_name, name);
  Json pod;
  try {
    pod = ctx.api().get(path, "get pods " + name);
  } catch (const ServerError& error) {
    // kubectl logs words a missing pod its own way.
    if (!error.not_found()) throw;
    throw usage_error("error from server (NotFound): pods \"" + name +
                      "\" not found in namespace \"" + namespace_name + "\"");
  }
  // kubectl still accepts the old form `logs POD CONTAINER`.
  std::string requested = ctx.flags.get_string("container");
  if (args.size() == 2) requested = args[1];
  const std::string container = choose_container(ctx, pod, requested);
  if (!pod_has_container(pod, container))  // checked before asking, as kubectl does
    throw usage_error("container " + container + " is not valid for pod " + name);
  const std::string log_path = path + "/log" + log_query(ctx, container);

  auto response = ctx.api().stream(log_path, [&](std::string_view chunk) {
    ctx.out.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    ctx.out.flush();
    return static_cast<bool>(ctx.out);
  });
  if (response.status >= 400)
    throw server_error(response.status, response.body, "get pods " + name);
  return 0;
}

}  // namespace

Command logs_command() {
  return {"logs", "Print the logs for a container in a pod",
          "Usage:\n  kubectl logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER] [options]\n\n"
          "Examples:\n  kubectl logs web-7d9c\n  kubectl logs deploy/web\n  kubectl logs -f "
          "web-7d9c -c nginx --tail 20\n",
          declare_logs_flags, run_logs};
}

}  // namespace skiff::kubectl
