// `kubectl exec POD [-c C] -- COMMAND [args...]`: runs a command in a container over the
// WebSocket v5.channel.k8s.io protocol (stdout on channel 1, stderr on 2, the result Status on
// 3) and exits with the command's exit code, printing "command terminated with exit code N" as
// kubectl does. Interactive use (-i, -t) is not supported yet.
#include <ostream>

#include "pkg/http/websocket_client.h"
#include "pkg/kubectl/commands.h"
#include "pkg/kubectl/encoding.h"
#include "pkg/kubectl/errors.h"
#include "pkg/kubectl/pod_container.h"

namespace skiff::kubectl {
namespace {

constexpr const char* kChannelProtocol = "v5.channel.k8s.io";

void declare_exec_flags(util::Flags& flags) {
  flags.add_string("container,c", "", "Container name (default: the pod's first container)");
  flags.add_bool("stdin,i", false, "Pass stdin to the container (not supported yet)");
  flags.add_bool("tty,t", false, "Stdin is a TTY (not supported yet)");
}

// The exit code a channel-3 Status means; prints what kubectl prints for a failure.
int finish(Context& ctx, const std::string& text) {
  Json status = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!status.is_object()) throw usage_error("the server sent an unreadable exec status: " + text);
  if (status.value("status", "") == "Success") return 0;
  if (status.value("reason", "") == "NonZeroExitCode") {
    const Json details = status.value("details", Json::object());
    for (const auto& cause : details.value("causes", Json::array())) {
      if (!cause.is_object() || cause.value("reason", "") != "ExitCode") continue;
      const std::string code = cause.value("message", "");
      int exit_code = 1;
      try {
        exit_code = std::stoi(code);
      } catch (const std::exception&) {
        exit_code = 1;
      }
      ctx.err << "command terminated with exit code " << code << "\n";
      return exit_code;
    }
  }
  throw usage_error(status.value("message", std::string("the command failed")));
}

int run_exec(Context& ctx) {
  const auto& args = ctx.flags.positional();
  if (args.empty())
    throw usage_error(
        "expected 'exec (POD | TYPE/NAME) [-c CONTAINER] [flags] -- COMMAND "
        "[args...]'.\nPOD or TYPE/NAME is a required argument for the exec command");
  if (args.size() < 2) throw usage_error("you must specify at least one command for the container");
  if (ctx.flags.get_bool("stdin") || ctx.flags.get_bool("tty"))
    throw usage_error("interactive exec (-i, -t) is not supported by skiff kubectl yet");
  const std::string name = resolve_pod_argument(ctx, args[0], "exec");
  const std::string path = pod_path(ctx.namespace_name(), name);
  Json pod = ctx.api().get(path, "get pods " + name);
  const std::string phase = pod.value("status", Json::object()).value("phase", "");
  if (phase == "Succeeded" || phase == "Failed")
    throw usage_error("cannot exec into a container in a completed pod; current phase is " + phase);
  const std::string container = choose_container(ctx, pod, ctx.flags.get_string("container"));

  std::string query = "?container=" + url_encode(container) + "&stdout=true&stderr=true";
  for (size_t i = 1; i < args.size(); ++i) query += "&command=" + url_encode(args[i]);
  http::WebSocketClientOptions options;
  options.subprotocols = {kChannelProtocol};
  const auto& tls = ctx.api().connection().tls;
  if (!tls.bearer_token.empty())
    options.headers.emplace_back("Authorization", "Bearer " + tls.bearer_token);
  options.ca_file = tls.ca_file;
  options.ca_pem = tls.ca_pem;
  options.client_cert_file = tls.client_cert_file;
  options.client_cert_pem = tls.client_cert_pem;
  options.client_key_file = tls.client_key_file;
  options.client_key_pem = tls.client_key_pem;
  options.insecure_skip_tls_verify = tls.insecure_skip_tls_verify;

  std::unique_ptr<http::WebSocketClient> socket;
  try {
    socket = std::make_unique<http::WebSocketClient>(ctx.api().server() + path + "/exec" + query,
                                                     options);
  } catch (const http::WebSocketRejected& rejected) {
    throw server_error(rejected.status(), rejected.body(), "exec pods " + name);
  } catch (const http::WebSocketError& error) {
    throw usage_error(error.what());
  }
  if (socket->subprotocol() != kChannelProtocol)
    throw usage_error("the server chose the exec protocol \"" + socket->subprotocol() +
                      "\"; skiff kubectl speaks " + kChannelProtocol + " only");
  while (auto message = socket->receive()) {
    if (message->empty()) continue;
    const char channel = (*message)[0];
    const std::string_view data(message->data() + 1, message->size() - 1);
    if (channel == 1) {
      ctx.out.write(data.data(), static_cast<std::streamsize>(data.size()));
      ctx.out.flush();
    } else if (channel == 2) {
      ctx.err.write(data.data(), static_cast<std::streamsize>(data.size()));
      ctx.err.flush();
    } else if (channel == 3) {
      return finish(ctx, std::string(data));
    }
  }
  throw usage_error("the connection to the server ended before the command finished");
}

}  // namespace

Command exec_command() {
  return {"exec", "Execute a command in a container",
          "Usage:\n  kubectl exec (POD | TYPE/NAME) [-c CONTAINER] -- COMMAND [args...]\n\n"
          "Examples:\n  kubectl exec web-7d9c -- env\n  kubectl exec web-7d9c -c nginx -- ls /\n",
          declare_exec_flags, run_exec};
}

}  // namespace skiff::kubectl
