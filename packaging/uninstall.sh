#!/bin/sh
# Removes what packaging/install.sh set up, and the cluster with it. Run as root:
#   sudo packaging/uninstall.sh [--purge]
#
# What it does (idempotent; running it again, or after a partial install, is fine):
#   1. stops and disables skiff.service, and stops any other `skiff` process (the background
#      server install.sh starts where there is no systemd)
#   2. removes the pods' containers (podman pods and containers labelled io.kubernetes.pod.uid,
#      which skiff's agent puts on every pod) and the podman network `skiff`
#   3. runs `skiff agent cleanup`: the nftables tables, routes and links the agent left
#   4. removes $PREFIX/bin/skiff (and the kubectl symlink install.sh made), the unit and /etc/skiff
#   5. keeps /var/lib/skiff (the cluster's store, pod volumes) and /var/log/skiff.log unless
#      --purge is given
#
# Environment: SKIFF_INSTALL_PREFIX (default /usr/local), as for install.sh.
set -eu

PREFIX=${SKIFF_INSTALL_PREFIX:-/usr/local}
SKIFF=$PREFIX/bin/skiff
UNIT=/etc/systemd/system/skiff.service
POD_LABEL=io.kubernetes.pod.uid
POD_NETWORK=skiff

say() { echo "[skiff uninstall] $*"; }
fail() {
  echo "[skiff uninstall] error: $*" >&2
  exit 1
}

PURGE=no
for arg in "$@"; do
  case "$arg" in
  --purge) PURGE=yes ;;
  -h | --help)
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
    exit 0
    ;;
  *)
    echo "uninstall.sh: unknown argument \"$arg\" (usage: uninstall.sh [--purge])" >&2
    exit 2
    ;;
  esac
done

if [ "$(id -u)" -ne 0 ]; then
  echo "uninstall.sh must run as root (try: sudo $0)" >&2
  exit 1
fi

# 1. Stop skiff. The unit's KillMode=process leaves the pods running: they are removed below.
if [ -d /run/systemd/system ] && [ -f "$UNIT" ]; then
  systemctl disable --now skiff.service >/dev/null 2>&1 || true
  say "stopped and disabled skiff.service"
fi
if pgrep -x skiff >/dev/null 2>&1; then
  pkill -TERM -x skiff || true
  # The agent finishes stopping pods that are being deleted (their grace period, 30 s by
  # default) before it exits, as systemd would wait for it (TimeoutStopSec, 90 s).
  say "waiting for skiff to exit (pods being deleted finish their grace period)"
  tries=0
  while pgrep -x skiff >/dev/null 2>&1; do
    tries=$((tries + 1))
    if [ "$tries" -gt 450 ]; then
      fail "skiff processes still running after 90s: $(pgrep -x skiff | tr '\n' ' ')"
    fi
    sleep 0.2
  done
  say "stopped the running skiff processes"
else
  say "no skiff process running"
fi

# 2. The pods. The agent's podman service ran with /etc/skiff/containers.conf where install.sh
# wrote one (e.g. runc on cgroup v1): the podman commands here need the same runtime.
if [ -f /etc/skiff/containers.conf ]; then
  CONTAINERS_CONF=/etc/skiff/containers.conf
  export CONTAINERS_CONF
fi
if command -v podman >/dev/null 2>&1; then
  pods=$(podman pod ls -q --filter "label=$POD_LABEL")
  if [ -n "$pods" ]; then
    # shellcheck disable=SC2086 # one id per word
    podman pod rm -f -t 10 $pods >/dev/null
    say "removed $(echo "$pods" | wc -l) pod(s)"
  else
    say "no pods of skiff's left"
  fi
  containers=$(podman ps -aq --filter "label=$POD_LABEL")
  if [ -n "$containers" ]; then
    # shellcheck disable=SC2086 # one id per word
    podman rm -f -t 10 $containers >/dev/null
    say "removed $(echo "$containers" | wc -l) container(s) outside pods"
  fi
  if podman network exists "$POD_NETWORK" 2>/dev/null; then
    podman network rm "$POD_NETWORK" >/dev/null
    say "removed podman network $POD_NETWORK"
  else
    say "podman network $POD_NETWORK: absent"
  fi
else
  say "podman is not installed: no pods to remove"
fi

# 3. The kernel state the agent leaves on purpose (it survives agent restarts).
if [ -x "$SKIFF" ]; then
  say "skiff agent cleanup (the podman network is handled above: a warning that podman does not"
  say "answer on its socket is expected and harmless)"
  if ! "$SKIFF" agent cleanup; then
    fail "skiff agent cleanup could not remove everything (see above); fix that and run $0 again"
  fi
else
  say "$SKIFF is not installed: skipping skiff agent cleanup"
fi

# 4. The files install.sh put in place.
if [ -L "$PREFIX/bin/kubectl" ] && [ "$(readlink "$PREFIX/bin/kubectl")" = "$SKIFF" ]; then
  rm -f "$PREFIX/bin/kubectl"
  say "removed $PREFIX/bin/kubectl (the symlink to skiff)"
fi
if [ -e "$SKIFF" ]; then
  rm -f "$SKIFF"
  say "removed $SKIFF"
fi
if [ -f "$UNIT" ]; then
  rm -f "$UNIT"
  if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi
  say "removed $UNIT"
fi
if [ -d /etc/skiff ]; then
  rm -rf /etc/skiff
  say "removed /etc/skiff"
fi

# 5. The cluster's data.
if [ "$PURGE" = yes ]; then
  rm -rf /var/lib/skiff
  rm -f /var/log/skiff.log
  say "removed /var/lib/skiff and /var/log/skiff.log (--purge)"
else
  say "kept /var/lib/skiff (the cluster's store and pod volumes) and /var/log/skiff.log; run with"
  say "--purge to remove them too"
fi
say "done"
