#!/bin/sh
# Stops skiff on this machine and takes away everything its pods and its agent left running:
#   sudo skiff-killall.sh            (install.sh puts it in /usr/local/bin)
#
# What it does (idempotent; each step says what it removed or that there was nothing):
#   1. stops skiff.service and skiff-agent.service, then any other `skiff` process (the
#      background server install.sh starts where there is no systemd). The units' KillMode=process
#      leaves the pods running on a plain stop (an agent that starts again adopts them), so:
#   2. stops and removes every podman pod and container skiff made (they carry the label
#      io.kubernetes.pod.uid, which skiff's agent puts on every sandbox and container)
#   3. removes the podman network `skiff` (and a leftover bridge `skiff0`)
#   4. removes skiff's nftables tables `ip skiff` (service proxy) and `ip skiff-podnet` (pod
#      masquerade), the pod routes (protocol 245), the links `skiff-vxlan` and `skiff-dns`
#   5. unmounts anything still mounted under /var/lib/skiff and /run/skiff
# It leaves the binary, the units, the configuration and the data: skiff-uninstall.sh removes
# those (and runs this first). Starting skiff again afterwards gives an empty node that the
# server fills again.
#
# Usage: skiff-killall.sh [--root DIR] [--help]
#   --root DIR   act on an install under DIR (as install.sh --root): nothing runs there, so
#                nothing is stopped; it only says so (for tests and image builds)
set -eu

POD_LABEL=io.kubernetes.pod.uid
POD_NETWORK=skiff
POD_BRIDGE=skiff0
NFT_TABLES="skiff skiff-podnet"
POD_ROUTE_PROTOCOL=245
LINKS="skiff-vxlan skiff-dns"
UNITS="skiff.service skiff-agent.service"

say() { echo "[skiff-killall] $*"; }
warn() { echo "[skiff-killall] warning: $*" >&2; }
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }

ROOT=${DESTDIR:-}
while [ $# -gt 0 ]; do
  case "$1" in
  --root)
    [ $# -ge 2 ] || { echo "skiff-killall.sh: --root needs a folder" >&2; exit 2; }
    ROOT=$2
    shift 2
    ;;
  --root=*)
    ROOT=${1#--root=}
    shift
    ;;
  -h | --help)
    usage
    exit 0
    ;;
  *)
    echo "skiff-killall.sh: unknown argument \"$1\" (usage: skiff-killall.sh [--root DIR])" >&2
    exit 2
    ;;
  esac
done

if [ -n "$ROOT" ]; then
  say "--root $ROOT: nothing of skiff runs there; no process, pod or kernel state to remove"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "skiff-killall.sh must run as root (try: sudo $0)" >&2
  exit 1
fi

# 1. The services, then any skiff process left (a background server, an agent run by hand).
if [ -d /run/systemd/system ]; then
  for unit in $UNITS; do
    if systemctl is-active --quiet "$unit" 2>/dev/null; then
      systemctl stop "$unit"
      say "stopped $unit"
    fi
  done
fi
if pgrep -x skiff >/dev/null 2>&1; then
  pkill -TERM -x skiff || true
  # The agent finishes stopping pods being deleted (their grace period, 30 s by default) before
  # it exits, as systemd would wait for it (TimeoutStopSec, 90 s).
  say "waiting for skiff to exit (pods being deleted finish their grace period)"
  tries=0
  while pgrep -x skiff >/dev/null 2>&1; do
    tries=$((tries + 1))
    if [ "$tries" -gt 450 ]; then
      warn "skiff still running after 90s: killing $(pgrep -x skiff | tr '\n' ' ')"
      pkill -KILL -x skiff || true
      sleep 1
      break
    fi
    sleep 0.2
  done
  say "stopped the running skiff processes"
else
  say "no skiff process running"
fi

# 2-3. The pods and their network. The agent's podman ran with /etc/skiff/containers.conf where
# install.sh wrote one (e.g. runc on cgroup v1): these podman commands need the same runtime.
if [ -f /etc/skiff/containers.conf ]; then
  CONTAINERS_CONF=/etc/skiff/containers.conf
  export CONTAINERS_CONF
fi
if command -v podman >/dev/null 2>&1; then
  pods=$(podman pod ls -q --filter "label=$POD_LABEL" 2>/dev/null || true)
  if [ -n "$pods" ]; then
    # shellcheck disable=SC2086 # one id per word
    podman pod rm -f -t 10 $pods >/dev/null
    say "stopped and removed $(echo "$pods" | wc -l) pod(s)"
  else
    say "no pods of skiff's"
  fi
  containers=$(podman ps -aq --filter "label=$POD_LABEL" 2>/dev/null || true)
  if [ -n "$containers" ]; then
    # shellcheck disable=SC2086 # one id per word
    podman rm -f -t 10 $containers >/dev/null
    say "stopped and removed $(echo "$containers" | wc -l) container(s) outside pods"
  fi
  if podman network exists "$POD_NETWORK" 2>/dev/null; then
    if podman network rm "$POD_NETWORK" >/dev/null; then
      say "removed podman network $POD_NETWORK"
    else
      warn "could not remove podman network $POD_NETWORK (see above)"
    fi
  else
    say "podman network $POD_NETWORK: absent"
  fi
else
  say "podman is not installed: no pods to remove"
fi

# 4. The kernel state the agent leaves on purpose (it survives agent restarts).
if command -v ip >/dev/null 2>&1; then
  for link in $POD_BRIDGE $LINKS; do
    if ip link show dev "$link" >/dev/null 2>&1; then
      ip link del "$link"
      say "removed link $link"
    fi
  done
  if [ -n "$(ip -4 route show proto "$POD_ROUTE_PROTOCOL" 2>/dev/null)" ]; then
    ip -4 route flush proto "$POD_ROUTE_PROTOCOL"
    say "removed the pod routes (proto $POD_ROUTE_PROTOCOL)"
  fi
else
  warn "the ip command is missing (apt-get install iproute2): links and routes left as they are"
fi
if command -v nft >/dev/null 2>&1; then
  for table in $NFT_TABLES; do
    if nft list table ip "$table" >/dev/null 2>&1; then
      nft delete table ip "$table"
      say "removed nftables table ip $table"
    fi
  done
else
  warn "the nft command is missing (apt-get install nftables): tables ip skiff and"
  warn "ip skiff-podnet left as they are (see: nft list tables)"
fi

# 5. Mounts under skiff's folders (deepest first). The agent makes none of its own today; pod
# volumes are bind mounts inside the containers, gone with them. This catches what a crash left.
mounts=$(awk '$2 ~ /^\/(var\/lib|run)\/skiff(\/|$)/ { print $2 }' /proc/self/mounts | sort -r)
for mount_point in $mounts; do
  umount "$mount_point" 2>/dev/null || umount -l "$mount_point"
  say "unmounted $mount_point"
done
say "done: skiff is stopped and its pods, network and nftables tables are gone"
