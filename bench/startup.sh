#!/usr/bin/env bash
# Time from a fresh JVM to the first successful response of the local run (the runner started with `java -jar`,
# polled with curl until /v1/chat/completions answers 200), over N runs; plus the layer's size and jar count.
# Usage: bench/startup.sh [runs]   (build first: mvn -DskipTests package, or ./local/run.sh once)
set -euo pipefail
cd "$(dirname "$0")/.."
. local/jdk.sh
runs=${1:-5}
port=${SWITCHBOARD_BENCH_PORT:-3917}
jar=local/target/switchboard-local.jar
[ -f "$jar" ] || mvn -B -ntp -q -DskipTests -pl local -am package
export AWS_EC2_METADATA_DISABLED=true AWS_EMF_ENVIRONMENT=Local
body='{"model":"fast","messages":[{"role":"user","content":"Hello"}]}'
times=()
for i in $(seq 1 "$runs"); do
  start=$(date +%s%N)
  java $(grep -v '^#' local/jvm.options) -jar "$jar" --port "$port" >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 1 600); do
    code=$(curl -s -o /dev/null -w '%{http_code}' -m 2 "http://127.0.0.1:$port/v1/chat/completions" \
      -H 'Authorization: Bearer sk-switchboard-dev' -H 'Content-Type: application/json' -d "$body" || true)
    [ "$code" = 200 ] && break
    sleep 0.01
  done
  end=$(date +%s%N)
  kill "$pid"; wait "$pid" 2>/dev/null || true
  [ "$code" = 200 ] || { echo "run $i: no 200 answer" >&2; exit 1; }
  times+=($(( (end - start) / 1000000 )))
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n | tr '\n' ' ')
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
zip=layers/core/target/switchboard-layer.zip
jars=$(unzip -l "$zip" | grep -c 'java/lib/.*\.jar$')
unpacked=$(unzip -l "$zip" | tail -n 1 | awk '{print $1}')
echo "fresh JVM -> first 200 from the local run: median ${median} ms over ${runs} runs (ms: ${sorted})"
echo "layer zip: $(stat -c %s "$zip") bytes, ${unpacked} bytes unpacked, ${jars} jars"
