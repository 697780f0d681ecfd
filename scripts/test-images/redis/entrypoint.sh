#!/bin/sh
# redis-server from Debian bookworm, started the way the official redis image starts it:
# arguments starting with "-" (or a *.conf file) are redis-server's ("--port 6380"); it runs as
# the redis user, in /data, without protected mode when no config file is given.
set -eu

case "${1:-}" in
  -* | *.conf) set -- redis-server "$@" ;;
esac
if [ "${1:-}" != redis-server ] || [ "$(id -u)" != 0 ]; then
  exec "$@"
fi
case "${2:-}" in
  *.conf) ;;
  *) set -- "$@" --protected-mode no ;;
esac
mkdir -p /data
chown redis:redis /data
cd /data
exec setpriv --reuid=redis --regid=redis --init-groups "$@"
