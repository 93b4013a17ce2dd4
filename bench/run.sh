#!/usr/bin/env bash
# The performance harness (docs/performance.md). Everything it starts listens on 127.0.0.1 and is stopped at the end.
#   bench/run.sh --short   direct vs Switchboard at concurrency 1 and 8, 5 rounds, then the regression gate (CI)
#   bench/run.sh --full    direct vs Switchboard vs Portkey, 0/20 ms, small/large prompts, streaming, concurrency
#                          1/8/32, the cache paths, then JMH microbenchmarks of the request path
#   bench/run.sh --stream  the streaming targets: 20 ms upstream, 8 chunks 5 ms apart, c1 and c8, stream and
#                          non-stream interleaved, direct vs Switchboard; TTFB / whole-stream table, PASS or FAIL
#                          (exit 1 on FAIL)
#   bench/run.sh --soak [--minutes N] [--rate R]
#                          leak hunt: Switchboard alone with its response cache on (L2 in a redis-server on
#                          loopback), R req/s (default 40) for N minutes (default 30) mixing streamed and whole answers,
#                          cache hits and misses; heap after GC, metaspace, threads, FDs and RSS sampled every 10 s;
#                          slopes over the second half, a table, soak-latest.json; exit 1 on any error or a slope over
#                          its limit (docs/reliability.md, "Soak")
# Extra arguments go to io.switchboard.bench.harness.Harness (--no-portkey, --rounds N, --record-baseline,
# --no-history...). With CI=true results go to bench/target/results and nothing is appended to bench/history.jsonl.
set -euo pipefail
cd "$(dirname "$0")/.."
. local/jdk.sh
mode=--short
args=()
for a in "$@"; do
  case "$a" in
    --short|--full|--stream|--soak) mode=$a ;;
    *) args+=("$a") ;;
  esac
done
# Build through the reactor (never mvn install): the local runner's jar and the bench jar with its classpath.
if [ ! -f bench/target/switchboard-bench.jar ] || [ ! -f local/target/switchboard-local.jar ] \
   || [ -n "$(find shared layers functions local bench/src pom.xml bench/pom.xml \( -name '*.java' -o -name 'pom.xml' \) -newer bench/target/switchboard-bench.jar -print -quit)" ]; then
  echo "[bench] building..." >&2
  mvn -B -ntp -q -DskipTests -pl bench -am package
fi
export AWS_EC2_METADATA_DISABLED=true AWS_EMF_ENVIRONMENT=Local AWS_REGION=us-east-1
extra=()
if [ "${CI:-}" = true ]; then
  extra+=(--out bench/target/results --no-history)
fi
if [ "$mode" = --full ]; then
  # Portkey, pinned in bench/portkey/package.json (+ package-lock.json); its absence is reported, not fatal.
  if command -v npm >/dev/null 2>&1 && [ ! -f bench/portkey/node_modules/@portkey-ai/gateway/package.json ]; then
    (cd bench/portkey && npm ci --no-audit --no-fund --ignore-scripts >&2) || echo "[bench] npm ci failed: Portkey will be missing" >&2
  fi
  java -cp bench/target/switchboard-bench.jar io.switchboard.bench.harness.Harness --full ${extra[@]+"${extra[@]}"} ${args[@]+"${args[@]}"}
  out=bench/results; [ "${CI:-}" = true ] && out=bench/target/results
  echo "[bench] JMH microbenchmarks of the request path" >&2
  java -cp bench/target/switchboard-bench.jar org.openjdk.jmh.Main 'io.switchboard.bench.jmh.*' -f 1 -wi 3 -w 1s -i 5 -r 1s \
    -tu us -bm avgt -rf json -rff "$out/jmh.json"
elif [ "$mode" = --stream ]; then
  java -cp bench/target/switchboard-bench.jar io.switchboard.bench.harness.Harness --stream ${extra[@]+"${extra[@]}"} ${args[@]+"${args[@]}"}
elif [ "$mode" = --soak ]; then
  soak_extra=()
  [ "${CI:-}" = true ] && soak_extra+=(--out bench/target/results)
  java -cp bench/target/switchboard-bench.jar io.switchboard.bench.harness.Harness --soak ${soak_extra[@]+"${soak_extra[@]}"} ${args[@]+"${args[@]}"}
else
  java -cp bench/target/switchboard-bench.jar io.switchboard.bench.harness.Harness --short --gate ${extra[@]+"${extra[@]}"} ${args[@]+"${args[@]}"}
fi
