#!/bin/sh
# Installs skiff on this machine and starts a single-node cluster (server + embedded agent,
# SQLite store). Run from a skiff source tree as root:   sudo packaging/install.sh
#
# What it does (idempotent; running it again updates the binary and restarts the service):
#   1. installs the build dependencies from Debian's packages (packaging/install-build-deps.sh)
#   2. builds skiff from this source tree (Release) into build-release/
#   3. installs /usr/local/bin/skiff (and a `kubectl` symlink if no kubectl exists)
#   4. installs and starts the systemd unit skiff.service; without systemd (a container), it
#      starts `skiff server` in the background and logs to /var/log/skiff.log
#   5. waits until the API answers and says how to use it
#
# Environment: SKIFF_INSTALL_PREFIX (default /usr/local), INSTALL_SKIFF_EXEC (extra server flags).
set -eu

SOURCE_DIR=$(cd "$(dirname "$0")/.." && pwd)
PREFIX=${SKIFF_INSTALL_PREFIX:-/usr/local}
EXTRA_FLAGS=${INSTALL_SKIFF_EXEC:-}
UNIT=/etc/systemd/system/skiff.service

say() { echo "[skiff install] $*"; }

if [ "$(id -u)" -ne 0 ]; then
  echo "install.sh must run as root (try: sudo $0)" >&2
  exit 1
fi

"$SOURCE_DIR/packaging/install-build-deps.sh"

say "building skiff from $SOURCE_DIR"
cmake -S "$SOURCE_DIR" -B "$SOURCE_DIR/build-release" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DSKIFF_BUILD_TESTS=OFF >/dev/null
cmake --build "$SOURCE_DIR/build-release" --target skiff -j "$(nproc)"

install -d "$PREFIX/bin"
install -m 0755 "$SOURCE_DIR/build-release/cmd/skiff/skiff" "$PREFIX/bin/skiff.new"
mv -f "$PREFIX/bin/skiff.new" "$PREFIX/bin/skiff"
say "installed $PREFIX/bin/skiff ($("$PREFIX/bin/skiff" version))"
if ! command -v kubectl >/dev/null 2>&1; then
  ln -sf "$PREFIX/bin/skiff" "$PREFIX/bin/kubectl"
  say "linked $PREFIX/bin/kubectl -> skiff (no other kubectl was installed)"
fi
install -d -m 0700 /var/lib/skiff
install -d -m 0755 /etc/skiff

# podman's defaults work on a cgroup v2 host (a Raspberry Pi OS or Debian 12 install). Where they
# do not, the embedded agent's podman service gets a containers.conf of its own
# (--container-runtime-config); the host's podman configuration is left alone.
#  - crun, podman's default OCI runtime, fails on cgroup v1/hybrid hierarchies: use runc.
#  - a container cannot be given more open files than the service's own hard limit.
RUNTIME_CONF=/etc/skiff/containers.conf
RUNTIME_CONF_LINES=""
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
    "$RUNTIME_CONF_LINES" >"$RUNTIME_CONF"
  EXTRA_FLAGS="--container-runtime-config $RUNTIME_CONF $EXTRA_FLAGS"
  say "podman's defaults do not fit this host: the agent uses $RUNTIME_CONF"
else
  rm -f "$RUNTIME_CONF"
fi

if [ -d /run/systemd/system ]; then
  cat >"$UNIT" <<UNIT_EOF
[Unit]
Description=skiff: a small Kubernetes-style cluster (server)
Documentation=file://$SOURCE_DIR/README.md
Wants=network-online.target
After=network-online.target

[Service]
Type=exec
ExecStart=$PREFIX/bin/skiff server $EXTRA_FLAGS
# Pods keep running when the service stops; the agent adopts them on start.
KillMode=process
Delegate=yes
Restart=always
RestartSec=5s
LimitNOFILE=1048576

[Install]
WantedBy=multi-user.target
UNIT_EOF
  systemctl daemon-reload
  systemctl enable skiff.service >/dev/null 2>&1
  systemctl restart skiff.service
  say "started skiff.service (logs: journalctl -u skiff)"
else
  if pgrep -x skiff >/dev/null 2>&1; then pkill -x skiff || true; sleep 1; fi
  # shellcheck disable=SC2086 # extra flags are meant to split into words
  nohup "$PREFIX/bin/skiff" server $EXTRA_FLAGS >>/var/log/skiff.log 2>&1 &
  say "no systemd here: started skiff server in the background (logs: /var/log/skiff.log)"
fi

say "waiting for the API"
tries=0
until curl -fsS http://127.0.0.1:6443/readyz >/dev/null 2>&1; do
  tries=$((tries + 1))
  if [ "$tries" -gt 150 ]; then
    echo "skiff did not become ready within 30s; see the logs above" >&2
    exit 1
  fi
  sleep 0.2
done
say "waiting for this machine's node to be Ready"
tries=0
until "$PREFIX/bin/skiff" kubectl --kubeconfig /etc/skiff/skiff.yaml get nodes 2>/dev/null |
  grep -q " Ready "; do
  tries=$((tries + 1))
  if [ "$tries" -gt 120 ]; then
    echo "the node did not become Ready within 60s; see the logs above" >&2
    exit 1
  fi
  sleep 0.5
done
say "ready: try 'skiff kubectl get nodes,pods -A' (kubeconfig: /etc/skiff/skiff.yaml)"
