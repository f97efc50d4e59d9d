#!/usr/bin/env bash
# Start (or stop) the S3-compatible server that the object-storage tests run against: the Versity
# S3 Gateway (versitygw, Apache-2.0) on a folder under var/. Built from the Go module proxy into
# var/bin (or $KX_BIN_DIR: CI keeps it across clean clones) on first use (about two minutes on
# 2 cores, 84 MB), then reused.
#   scripts/s3-test-server.sh [start]   build if needed, start in the background, wait until it answers
#   scripts/s3-test-server.sh stop      stop the server started here
# It listens on 127.0.0.1:$KX_TEST_S3_PORT (default 9010), starts with no buckets, and accepts only
# the fixed test credentials below. Run the tests with KX_TEST_S3_URL=http://127.0.0.1:9010.
set -euo pipefail
cd "$(dirname "$0")/.."

version=v1.8.0
var_dir=${KX_VAR_DIR:-var}
port=${KX_TEST_S3_PORT:-9010}
# Test-only credentials (tests/ops/test_object_storage.py uses the same); never use them elsewhere.
access_key=kx-test-access-key
secret_key=kx-test-secret-key-not-for-production
server_dir="$var_dir/s3-test"
pid_file="$server_dir/server.pid"
log_file="$server_dir/server.log"
bin_dir=${KX_BIN_DIR:-$var_dir/bin}
binary="$bin_dir/versitygw"
stamp="$bin_dir/versitygw.version"

running() {
    [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null
}

stop() {
    if running; then
        echo "--- stopping the S3 test server (pid $(cat "$pid_file"))"
        kill "$(cat "$pid_file")"
        for _ in $(seq 1 50); do
            running || break
            sleep 0.2
        done
    fi
    rm -f "$pid_file"
}

answers() {
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
}

case "${1:-start}" in
    stop)
        stop
        exit 0
        ;;
    start) ;;
    *)
        echo "usage: $0 [start|stop]" >&2
        exit 2
        ;;
esac

if running; then
    echo "--- S3 test server already running: http://127.0.0.1:$port"
    exit 0
fi
if answers; then
    echo "port $port is taken by another process; set KX_TEST_S3_PORT" >&2
    exit 1
fi

if [ ! -x "$binary" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$version" ]; then
    command -v go >/dev/null || { echo "Go is needed to build versitygw" >&2; exit 1; }
    echo "--- building versitygw $version into $bin_dir"
    mkdir -p "$bin_dir"
    started=$SECONDS
    GOBIN="$(cd "$bin_dir" && pwd -P)" go install "github.com/versity/versitygw/cmd/versitygw@$version"
    echo "$version" >"$stamp"
    echo "--- built in $((SECONDS - started)) s"
fi

# Every start begins empty: the tests make (and remove) buckets of their own.
rm -rf "$server_dir"
mkdir -p "$server_dir/data" "$server_dir/meta"
# versitygw reads relative paths from inside its data folder.
server_path=$(cd "$server_dir" && pwd -P)
# Metadata goes to a side folder rather than extended attributes, which not every filesystem has.
setsid "$binary" --access "$access_key" --secret "$secret_key" --region us-east-1 \
    --port "127.0.0.1:$port" --quiet \
    posix --sidecar "$server_path/meta" "$server_path/data" \
    >"$log_file" 2>&1 </dev/null &
echo $! >"$pid_file"

for _ in $(seq 1 100); do
    if answers; then
        echo "--- S3 test server ready: http://127.0.0.1:$port"
        exit 0
    fi
    if ! running; then
        break
    fi
    sleep 0.1
done
echo "the S3 test server did not start; its log:" >&2
cat "$log_file" >&2
stop
exit 1
