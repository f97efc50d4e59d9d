#!/usr/bin/env bash
# Start (or stop) the Redis server that the shared-cache tests run against (Debian's
# redis-server), in memory only, on 127.0.0.1:$KX_TEST_REDIS_PORT (default 6390).
#   scripts/redis-test-server.sh [start]   start in the background, wait until it answers
#   scripts/redis-test-server.sh stop      stop the server started here
# Run the tests with KX_TEST_REDIS_URL=redis://127.0.0.1:6390/0.
set -euo pipefail
cd "$(dirname "$0")/.."

var_dir=${KX_VAR_DIR:-var}
port=${KX_TEST_REDIS_PORT:-6390}
server_dir="$var_dir/redis-test"
pid_file="$server_dir/server.pid"

running() {
    [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null
}

case "${1:-start}" in
    stop)
        if running; then
            echo "--- stopping the Redis test server (pid $(cat "$pid_file"))"
            kill "$(cat "$pid_file")"
        fi
        rm -f "$pid_file"
        exit 0
        ;;
    start) ;;
    *)
        echo "usage: $0 [start|stop]" >&2
        exit 2
        ;;
esac

if running; then
    echo "--- the Redis test server already runs on port $port"
    exit 0
fi
command -v redis-server >/dev/null || {
    echo "redis-server is missing: apt-get install redis-server" >&2
    exit 1
}
mkdir -p "$server_dir"
redis-server --bind 127.0.0.1 --port "$port" --save "" --appendonly no \
    --daemonize yes --pidfile "$PWD/$pid_file" --logfile "$PWD/$server_dir/server.log" \
    --dir "$PWD/$server_dir"
for _ in $(seq 1 50); do
    redis-cli -p "$port" ping 2>/dev/null | grep -q PONG && {
        echo "--- Redis test server on 127.0.0.1:$port"
        exit 0
    }
    sleep 0.2
done
echo "the Redis test server did not answer; see $server_dir/server.log" >&2
exit 1
