#!/bin/sh
# Installs skiff on this machine and starts it: a single-node cluster (server + embedded agent,
# SQLite store), or, with SKIFF_URL set, an agent that joins a server. Run as root:
#   sudo packaging/install.sh                           # from a source tree: builds skiff
#   sudo packaging/install.sh --binary ./skiff          # a skiff binary you have
#   sudo packaging/install.sh --deb skiff_0.1_arm64.deb # skiff's Debian package
#   sudo SKIFF_URL=https://server:6443 SKIFF_TOKEN=K10... packaging/install.sh --binary ./skiff
#
# What it does (idempotent: running it again updates what changed, says what it left as it was,
# and restarts; pods keep running across the restart):
#   1. installs the runtime from Debian's packages: podman, runc and what podman needs
#      (catatonit, netavark, iptables), nftables, iproute2, curl; building from the source tree
#      installs the build dependencies too (packaging/install-build-deps.sh)
#   2. installs the binary as $PREFIX/bin/skiff (--binary), or installs the .deb with dpkg and
#      uses /usr/bin/skiff (--deb), or builds it from this source tree (Release, build-release/)
#   3. links $PREFIX/bin/kubectl to skiff when no kubectl is installed, and installs
#      $PREFIX/bin/skiff-killall.sh and $PREFIX/bin/skiff-uninstall.sh
#   4. writes /etc/skiff/containers.conf where podman's defaults do not fit the host
#   5. writes the systemd unit skiff.service (server) or skiff-agent.service (agent, when
#      SKIFF_URL is set) and its environment file /etc/systemd/system/<unit>.env (mode 0600: the
#      token lives there, never on the ExecStart line); without systemd (a container) it starts
#      skiff in the background instead, logging to /var/log/skiff.log (skiff-agent.log)
#   6. starts it and waits: the server until https://127.0.0.1:6443/readyz answers and this
#      machine's node is Ready (the admin kubeconfig is /etc/skiff/skiff.yaml); the agent until
#      it has joined
#
# Usage: install.sh [--binary PATH | --deb FILE] [--root DIR] [--help]
#   --binary PATH  install this skiff binary (or SKIFF_BINARY=PATH)
#   --deb FILE     install this skiff .deb (or SKIFF_DEB=FILE)
#   --root DIR     install every file under DIR instead of / (or DESTDIR=DIR) and touch nothing
#                  else: no packages, no systemctl, nothing started (for tests and images)
#
# Environment:
#   SKIFF_URL                 join this server as an agent (https://HOST:6443)
#   SKIFF_TOKEN               the join token (K10...; the server's /var/lib/skiff/server/node-token);
#                             required with SKIFF_URL; for a server, the token agents join with
#   INSTALL_SKIFF_EXEC        extra flags for `skiff server` / `skiff agent` (may start with the
#                             word server or agent, as k3s' INSTALL_K3S_EXEC)
#   INSTALL_SKIFF_RUNTIME     podman (the default and, today, the only runtime the agent runs)
#   INSTALL_SKIFF_SKIP_START  true: install and enable, but do not start
#   SKIFF_INSTALL_PREFIX      where bin/ goes (default /usr/local)
set -eu

SCRIPT_DIR=$(cd "$(dirname "$0")" && pwd)
SOURCE_DIR=$(cd "$SCRIPT_DIR/.." && pwd)
PREFIX=${SKIFF_INSTALL_PREFIX:-/usr/local}
ROOT=${DESTDIR:-}
BINARY=${SKIFF_BINARY:-}
DEB=${SKIFF_DEB:-}
RUNTIME=${INSTALL_SKIFF_RUNTIME:-podman}
EXTRA_FLAGS=${INSTALL_SKIFF_EXEC:-}
SKIP_START=${INSTALL_SKIFF_SKIP_START:-false}
SKIFF_URL=${SKIFF_URL:-}
SKIFF_TOKEN=${SKIFF_TOKEN:-}
# The runtime's packages. catatonit (podman builds its pod infra image from it), netavark and
# iptables (pod networking) are only Recommends of podman: named for --no-install-recommends.
RUNTIME_PACKAGES="podman runc catatonit netavark iptables nftables iproute2 curl ca-certificates"
# The packages of the shared libraries skiff links (Debian 12's names; beyond libc and libstdc++).
# A binary built on another machine (--binary) needs them here; the .deb depends on them and
# the source build installs them with their -dev packages. tests/integration/
# install_script_test.cpp checks this list against what the binary links.
LIBRARY_PACKAGES="libjemalloc2 libsqlite3-0 libssl3 libcurl4 libyaml-cpp0.7 libnftables1 \
libprotobuf32 libgrpc29 libgrpc++1.51 libabsl20220623"

say() { echo "[skiff install] $*"; }
# The shared libraries $1 needs that this machine lacks, on one line (none: empty).
missing_libraries() { ldd "$1" 2>/dev/null | awk '/not found/ { printf "%s ", $1 }'; }
fail() {
  echo "[skiff install] error: $*" >&2
  exit 1
}
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }

while [ $# -gt 0 ]; do
  case "$1" in
  --binary | --deb | --root)
    [ $# -ge 2 ] || fail "$1 needs a value (see install.sh --help)"
    case "$1" in
    --binary) BINARY=$2 ;;
    --deb) DEB=$2 ;;
    --root) ROOT=$2 ;;
    esac
    shift 2
    ;;
  --binary=*) BINARY=${1#--binary=} && shift ;;
  --deb=*) DEB=${1#--deb=} && shift ;;
  --root=*) ROOT=${1#--root=} && shift ;;
  -h | --help)
    usage
    exit 0
    ;;
  *)
    echo "install.sh: unknown argument \"$1\" (see install.sh --help)" >&2
    exit 2
    ;;
  esac
done

# --- What to install, checked before anything changes. ---
[ -z "$BINARY" ] || [ -z "$DEB" ] || fail "give --binary or --deb, not both"
case "$RUNTIME" in
podman) ;;
containerd)
  fail "INSTALL_SKIFF_RUNTIME=containerd is not supported: the skiff agent runs pods on podman \
only today. Unset INSTALL_SKIFF_RUNTIME (or set it to podman)."
  ;;
*) fail "INSTALL_SKIFF_RUNTIME=$RUNTIME is not a runtime skiff knows; use podman" ;;
esac

KIND=server
[ -z "$SKIFF_URL" ] || KIND=agent
# INSTALL_SKIFF_EXEC may name the command first, as INSTALL_K3S_EXEC does.
case "$EXTRA_FLAGS" in
server | "server "*)
  [ "$KIND" = server ] || fail "INSTALL_SKIFF_EXEC starts with server, but SKIFF_URL is set (an agent)"
  EXTRA_FLAGS=${EXTRA_FLAGS#server}
  ;;
agent | "agent "*)
  [ "$KIND" = agent ] || fail "INSTALL_SKIFF_EXEC starts with agent: set SKIFF_URL (https://SERVER:6443) and SKIFF_TOKEN too"
  EXTRA_FLAGS=${EXTRA_FLAGS#agent}
  ;;
esac
if [ "$KIND" = agent ]; then
  [ -n "$SKIFF_TOKEN" ] || fail "SKIFF_URL is set, so this installs an agent: set SKIFF_TOKEN to \
the server's join token too (on the server: sudo cat /var/lib/skiff/server/node-token)"
  case "$SKIFF_URL" in
  https://* | http://*) ;;
  *) fail "SKIFF_URL must be the server's URL, like https://SERVER:6443 (got \"$SKIFF_URL\")" ;;
  esac
fi
# The env file holds NAME=value lines: a value with blanks or quotes would not read back whole.
for value in "$SKIFF_URL" "$SKIFF_TOKEN"; do
  case "$value" in
  *[[:space:]\"\'\\]*) fail "SKIFF_URL and SKIFF_TOKEN must not contain blanks, quotes or backslashes" ;;
  esac
done
if [ -n "$ROOT" ]; then
  mkdir -p "$ROOT" || fail "cannot make --root $ROOT"
  ROOT=$(cd "$ROOT" && pwd)
  [ "$ROOT" != / ] || ROOT=""
fi
if [ -z "$ROOT" ] && [ "$(id -u)" -ne 0 ]; then
  fail "install.sh must run as root (try: sudo $0), or install into a folder with --root DIR"
fi

if [ "$KIND" = server ]; then UNIT_NAME=skiff; else UNIT_NAME=skiff-agent; fi
UNIT_PATH=/etc/systemd/system/$UNIT_NAME.service
ENV_PATH=/etc/systemd/system/$UNIT_NAME.service.env
BIN_DIR=$PREFIX/bin
SKIFF_PATH=$BIN_DIR/skiff  # where the unit runs it; /usr/bin/skiff for a .deb
[ -z "$ROOT" ] || say "installing into $ROOT (--root): no packages, systemctl or start"

# Writes stdin to $ROOT$1 with mode $2 (through a temp file and a rename), or says it was
# already so.
put_file() {
  target=$ROOT$1
  mkdir -p "$(dirname "$target")"
  (umask 077 && cat >"$target.new")
  chmod "$2" "$target.new"
  if [ -f "$target" ] && cmp -s "$target" "$target.new" &&
    [ "$(stat -c %a "$target")" = "$(stat -c %a "$target.new")" ]; then
    rm -f "$target.new"
    say "unchanged $1"
  else
    mv -f "$target.new" "$target"
    say "wrote $1 (mode $2)"
  fi
}

install_packages() {
  missing=""
  for package in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
      missing="$missing $package"
    fi
  done
  if [ -z "$missing" ]; then
    say "the runtime's packages are installed ($*)"
    return
  fi
  say "installing$missing"
  DEBIAN_FRONTEND=noninteractive
  export DEBIAN_FRONTEND
  apt-get update -q
  # shellcheck disable=SC2086 # the package list is meant to split into words
  apt-get install -y -q --no-install-recommends $missing
}

# --- 1. The runtime (and the build dependencies when building here). ---
if [ -n "$ROOT" ]; then
  say "--root: not installing the runtime's packages ($RUNTIME_PACKAGES)"
elif [ -z "$BINARY" ] && [ -z "$DEB" ]; then
  "$SOURCE_DIR/packaging/install-build-deps.sh"
  # shellcheck disable=SC2086 # the package list is meant to split into words
  install_packages $RUNTIME_PACKAGES
else
  missing=""
  [ -z "$BINARY" ] || missing=$(missing_libraries "$BINARY")
  extra=""
  if [ -n "$missing" ]; then
    say "$BINARY needs shared libraries this machine lacks: $missing"
    extra=$LIBRARY_PACKAGES
  fi
  # shellcheck disable=SC2086 # the package lists are meant to split into words
  install_packages $RUNTIME_PACKAGES $extra
fi

# --- 2. The binary. ---
new_binary=""
if [ -n "$DEB" ]; then
  [ -f "$DEB" ] || fail "--deb $DEB: no such file"
  if [ -n "$ROOT" ]; then
    # Only the binary, where the package puts it: dpkg's database is the host's.
    unpacked=$(mktemp -d)
    dpkg-deb -x "$DEB" "$unpacked"
    [ -x "$unpacked/usr/bin/skiff" ] || fail "$DEB has no usr/bin/skiff"
    new_binary=$unpacked/usr/bin/skiff
  else
    dpkg -i "$DEB"
    say "installed $DEB with dpkg"
    [ -x /usr/bin/skiff ] || fail "$DEB did not install /usr/bin/skiff"
  fi
  SKIFF_PATH=/usr/bin/skiff
elif [ -n "$BINARY" ]; then
  if [ ! -f "$BINARY" ] || [ ! -x "$BINARY" ]; then
    fail "--binary $BINARY: not an executable file"
  fi
  new_binary=$BINARY
else
  if [ ! -f "$SOURCE_DIR/CMakeLists.txt" ] || [ ! -f "$SOURCE_DIR/cmd/skiff/main.cpp" ]; then
    fail "no --binary or --deb given, and $SOURCE_DIR is not a skiff source tree to build"
  fi
  say "building skiff from $SOURCE_DIR"
  cmake -S "$SOURCE_DIR" -B "$SOURCE_DIR/build-release" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DSKIFF_BUILD_TESTS=OFF >/dev/null
  cmake --build "$SOURCE_DIR/build-release" --target skiff -j "$(nproc)"
  new_binary=$SOURCE_DIR/build-release/cmd/skiff/skiff
fi
if [ -n "$new_binary" ]; then
  # A binary for another architecture (installing an image under --root) cannot run here.
  if ! version=$("$new_binary" version 2>/dev/null); then
    if [ -z "$ROOT" ]; then
      missing=$(missing_libraries "$new_binary")
      [ -z "$missing" ] || fail "$new_binary does not run on this machine: it needs shared \
libraries that Debian 12's packages ($LIBRARY_PACKAGES) did not bring: $missing(was it built on \
another distribution?)"
      fail "$new_binary does not run on this machine (another architecture?)"
    fi
    version="cannot run here"
  fi
  target=$ROOT$SKIFF_PATH
  mkdir -p "$(dirname "$target")"
  if [ -f "$target" ] && cmp -s "$new_binary" "$target"; then
    say "unchanged $SKIFF_PATH ($version)"
  else
    # Through a rename: a running skiff keeps its old file.
    install -m 0755 "$new_binary" "$target.new"
    mv -f "$target.new" "$target"
    say "installed $SKIFF_PATH ($version)"
  fi
  [ -z "${unpacked:-}" ] || rm -rf "$unpacked"
fi

# --- 3. kubectl, and the killall and uninstall scripts. ---
kubectl_link=$BIN_DIR/kubectl
link_target=$(readlink "$ROOT$kubectl_link" 2>/dev/null || true)
if [ "$link_target" = "$SKIFF_PATH" ]; then
  say "unchanged $kubectl_link -> $SKIFF_PATH"
else
  other_kubectl=""
  case "$link_target" in
  */skiff) ;; # our own link from an earlier install (another binary path): redone below
  *)
    if [ -n "$ROOT" ]; then
      for dir in "$BIN_DIR" /usr/local/bin /usr/bin /bin; do
        if [ -e "$ROOT$dir/kubectl" ] || [ -L "$ROOT$dir/kubectl" ]; then other_kubectl=$dir/kubectl; fi
      done
    else
      other_kubectl=$(command -v kubectl 2>/dev/null || true)
    fi
    ;;
  esac
  if [ -n "$other_kubectl" ]; then
    say "kept $other_kubectl (a kubectl is installed; \`skiff kubectl\` works too)"
  else
    mkdir -p "$ROOT$BIN_DIR"
    ln -sfn "$SKIFF_PATH" "$ROOT$kubectl_link"
    say "linked $kubectl_link -> $SKIFF_PATH (no other kubectl was installed)"
  fi
fi
for script in skiff-killall.sh skiff-uninstall.sh; do
  [ -f "$SCRIPT_DIR/$script" ] || fail "$SCRIPT_DIR/$script is missing (it ships beside install.sh)"
  put_file "$BIN_DIR/$script" 0755 <"$SCRIPT_DIR/$script"
done

# --- 4. Folders, and the runtime's configuration where podman's defaults do not fit. ---
for dir in /var/lib/skiff:0700 /etc/skiff:0755; do
  if [ ! -d "$ROOT${dir%:*}" ]; then
    install -d -m "${dir#*:}" "$ROOT${dir%:*}"
    say "made ${dir%:*} (mode ${dir#*:})"
  fi
done
# podman's defaults work on a cgroup v2 host (a Raspberry Pi OS or Debian 12 install). Where they
# do not, the agent's podman service gets a containers.conf of its own
# (--container-runtime-config); the host's podman configuration is left alone.
#  - crun, podman's default OCI runtime, fails on cgroup v1/hybrid hierarchies: use runc.
#  - a container cannot be given more open files than the service's own hard limit.
RUNTIME_CONF=/etc/skiff/containers.conf
RUNTIME_CONF_LINES=""
RUNTIME_FLAGS=""
if [ "$(stat -fc %T /sys/fs/cgroup 2>/dev/null)" != "cgroup2fs" ]; then
  RUNTIME_CONF_LINES="[engine]
runtime = \"runc\""
fi
# podman asks for nofile=1048576 by default; a host that lowers the hard limit (inside another
# container, say) refuses that, and runc likewise refuses an nproc above the pid limit.
hard_nofile=$(awk '/^Max open files/ {print $5}' /proc/self/limits)
if [ "$hard_nofile" != "unlimited" ] && [ "$hard_nofile" -lt 1048576 ]; then
  nproc=$(awk '/^Max processes/ {print $4}' /proc/self/limits)
  pid_max=$(cat /proc/sys/kernel/pid_max)
  if [ "$nproc" = "unlimited" ] || [ "$nproc" -gt "$pid_max" ]; then nproc=$pid_max; fi
  RUNTIME_CONF_LINES="$RUNTIME_CONF_LINES
[containers]
default_ulimits = [\"nofile=$hard_nofile:$hard_nofile\", \"nproc=$nproc:$nproc\"]"
fi
if [ -n "$RUNTIME_CONF_LINES" ]; then
  printf '%s\n' "# Written by skiff's install.sh for this host; see packaging/install.sh." \
    "$RUNTIME_CONF_LINES" | put_file "$RUNTIME_CONF" 0644
  RUNTIME_FLAGS="--container-runtime-config $RUNTIME_CONF"
  say "podman's defaults do not fit this host: the agent uses $RUNTIME_CONF"
elif [ -f "$ROOT$RUNTIME_CONF" ]; then
  rm -f "$ROOT$RUNTIME_CONF"
  say "removed $RUNTIME_CONF (podman's defaults fit this host)"
fi

# --- 5. The unit and its environment file. ---
# The token is read from the env file; ${NAME} on ExecStart is systemd's expansion (one word).
if [ "$KIND" = server ]; then
  command_line="$SKIFF_PATH server"
  [ -z "$SKIFF_TOKEN" ] || command_line="$command_line --token \${SKIFF_TOKEN}"
else
  command_line="$SKIFF_PATH agent --server \${SKIFF_URL} --token \${SKIFF_TOKEN}"
fi
set -f # the extra flags split into words, and no word is a pattern
for flag in $RUNTIME_FLAGS $EXTRA_FLAGS; do command_line="$command_line $flag"; done
set +f
{
  echo "# skiff's $UNIT_NAME.service environment, written by install.sh. Mode 0600: it holds the"
  echo "# join token."
  [ -z "$SKIFF_URL" ] || echo "SKIFF_URL=$SKIFF_URL"
  [ -z "$SKIFF_TOKEN" ] || echo "SKIFF_TOKEN=$SKIFF_TOKEN"
  # Image pulls go through the proxy the installing shell had.
  env | grep -E '^(HTTP_PROXY|HTTPS_PROXY|NO_PROXY|http_proxy|https_proxy|no_proxy)=' || true
} | put_file "$ENV_PATH" 0600
# Type=notify needs a skiff that sends READY=1 (it names $NOTIFY_SOCKET); an older one would
# leave the unit "activating" for ever, so it gets Type=exec.
unit_type=notify
if [ -f "$ROOT$SKIFF_PATH" ] && ! grep -q NOTIFY_SOCKET "$ROOT$SKIFF_PATH"; then
  unit_type="exec"
  say "$SKIFF_PATH does not speak sd_notify yet: $UNIT_NAME.service gets Type=exec"
fi
if [ "$KIND" = server ]; then
  description="skiff: a small Kubernetes-style cluster (server)"
else
  description="skiff: a small Kubernetes-style cluster (agent)"
fi
documentation="# skiff --help; skiff-killall.sh stops it and its pods, skiff-uninstall.sh removes it"
if [ -f "$SOURCE_DIR/README.md" ] && [ -z "$ROOT" ]; then
  documentation="Documentation=file://$SOURCE_DIR/README.md"
fi
put_file "$UNIT_PATH" 0644 <<UNIT_EOF
# Written by skiff's install.sh; running it again rewrites this file.
[Unit]
Description=$description
$documentation
Wants=network-online.target
After=network-online.target

[Service]
Type=$unit_type
EnvironmentFile=-$ENV_PATH
ExecStart=$command_line
# Pods keep running when the service stops or restarts; the agent adopts them on start.
# skiff-killall.sh stops them.
KillMode=process
Delegate=yes
Restart=always
RestartSec=5s
# Joining may wait for the server as long as it takes.
TimeoutStartSec=0
LimitNOFILE=1048576
LimitNPROC=infinity
LimitCORE=infinity
TasksMax=infinity

[Install]
WantedBy=multi-user.target
UNIT_EOF

if [ -n "$ROOT" ]; then
  say "done: installed into $ROOT (not started)"
  exit 0
fi

# --- 6. Start, and wait until it works. ---
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  systemctl enable "$UNIT_NAME.service" >/dev/null 2>&1
  say "enabled $UNIT_NAME.service"
  if [ "$SKIP_START" = true ]; then
    say "not started (INSTALL_SKIFF_SKIP_START=true): systemctl start $UNIT_NAME"
    exit 0
  fi
  # --no-block: the waits below have deadlines and say what is wrong.
  systemctl restart --no-block "$UNIT_NAME.service"
  say "started $UNIT_NAME.service (logs: journalctl -u $UNIT_NAME)"
  logs="journalctl -u $UNIT_NAME"
else
  if [ "$SKIP_START" = true ]; then
    say "not started (INSTALL_SKIFF_SKIP_START=true); no systemd here"
    exit 0
  fi
  if pgrep -x skiff >/dev/null 2>&1; then pkill -x skiff || true; sleep 1; fi
  log_file=/var/log/$UNIT_NAME.log
  if [ "$KIND" = server ]; then
    set -- server
    [ -z "$SKIFF_TOKEN" ] || set -- "$@" --token "$SKIFF_TOKEN"
  else
    set -- agent --server "$SKIFF_URL" --token "$SKIFF_TOKEN"
  fi
  # shellcheck disable=SC2086 # extra flags are meant to split into words
  nohup "$SKIFF_PATH" "$@" $RUNTIME_FLAGS $EXTRA_FLAGS >>"$log_file" 2>&1 &
  say "no systemd here: started skiff $KIND in the background (logs: $log_file)"
  logs=$log_file
fi

# Calls "$@" every half second until it succeeds; fails with $1's message after $2 tries.
wait_until() {
  message=$1
  tries_left=$2
  shift 2
  until "$@" >/dev/null 2>&1; do
    tries_left=$((tries_left - 1))
    [ "$tries_left" -gt 0 ] || fail "$message; see the logs ($logs)"
    sleep 0.5
  done
}
node_ready() {
  "$SKIFF_PATH" kubectl --kubeconfig /etc/skiff/skiff.yaml get nodes 2>/dev/null | grep -q " Ready "
}
if [ "$KIND" = server ]; then
  say "waiting for the API (https://127.0.0.1:6443/readyz)"
  wait_until "the API did not answer within 60s" 120 curl -ksSf https://127.0.0.1:6443/readyz
  say "waiting for this machine's node to be Ready"
  wait_until "the node did not become Ready within 60s" 120 node_ready
  say "ready: try 'skiff kubectl get nodes,pods -A'"
  say "the admin kubeconfig is /etc/skiff/skiff.yaml (export KUBECONFIG=/etc/skiff/skiff.yaml for kubectl)"
  # The address other machines reach: the one this node registered with (its InternalIP).
  address=$("$SKIFF_PATH" kubectl --kubeconfig /etc/skiff/skiff.yaml get nodes \
    -o 'jsonpath={.items[0].status.addresses[?(@.type=="InternalIP")].address}' 2>/dev/null) ||
    address=""
  say "agents join with: SKIFF_URL=https://${address:-<this host>}:6443 SKIFF_TOKEN=\$(sudo cat /var/lib/skiff/server/node-token) install.sh"
else
  say "waiting for the agent to join $SKIFF_URL"
  if [ -d /run/systemd/system ]; then
    # Type=notify: active once the agent has registered its node.
    wait_until "the agent did not join within 120s" 240 systemctl is-active --quiet "$UNIT_NAME.service"
  else
    sleep 2
    pgrep -x skiff >/dev/null 2>&1 || fail "the agent exited"
  fi
  say "joined: on the server, 'skiff kubectl get nodes' lists this machine"
fi
