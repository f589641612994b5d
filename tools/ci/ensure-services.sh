#!/usr/bin/env bash
# Starts NATS (JetStream) and PostgreSQL when nothing answers on their ports,
# installing them from Debian's packages when they are missing.
set -euo pipefail

answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

apt_install() {
  if [ "$(id -u)" != 0 ]; then echo "need root to install $*" >&2; return 1; fi
  [ -n "${apt_updated:-}" ] || { apt-get update -qq; apt_updated=1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

wait_for_port() {
  for _ in $(seq 1 100); do answers "$1" && return 0; sleep 0.2; done
  echo "nothing answers on port $1 after starting $2" >&2
  return 1
}

if answers 4222; then
  echo "nats: answering on 4222"
else
  command -v nats-server >/dev/null || apt_install nats-server
  mkdir -p /var/lib/nats-server
  start-stop-daemon --start --oknodo --background --exec "$(command -v nats-server)" -- \
    -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log
  wait_for_port 4222 nats-server
  echo "nats: started"
fi
command -v nats-server >/dev/null || apt_install nats-server # fault tests start their own server

if answers 5432; then
  echo "postgres: answering on 5432"
else
  ls /etc/postgresql >/dev/null 2>&1 || apt_install postgresql
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start
  wait_for_port 5432 postgresql
  echo "postgres: started"
fi

# The dashboard's browser tests drive Debian's Chromium through playwright-core.
if [ -x /usr/bin/chromium ]; then
  echo "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo installed)"
else
  apt_install chromium
  echo "chromium: installed"
fi
