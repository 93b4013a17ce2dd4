#!/usr/bin/env bash
# Runs the gateway locally on http://127.0.0.1:${SWITCHBOARD_PORT:-3000} with embedded defaults (the mock provider;
# openai too when OPENAI_API_KEY is set). Builds what it needs first. Extra arguments go to the runner
# (--port N, --param Name=Value), or: invoke <LogicalId> -e events/<file>.json.
set -euo pipefail
cd "$(dirname "$0")/.."
. local/jdk.sh
jar=local/target/switchboard-local.jar
if [ ! -f "$jar" ] || [ -n "$(find shared layers functions local pom.xml \( -name '*.java' -o -name 'pom.xml' \) -newer "$jar" -print -quit)" ]; then
  echo "Building Switchboard..." >&2
  mvn -B -ntp -q -DskipTests -pl local -am package
fi
# Never probe the network for an AWS environment: no instance metadata, EMF pinned to Local.
export AWS_EC2_METADATA_DISABLED=true AWS_EMF_ENVIRONMENT=Local AWS_REGION="${AWS_REGION:-us-east-1}"
# JVM options in local/jvm.options (also read by the benchmark harness): the JIT as Lambda runs our java25 SnapStart
# functions (full tiered compilation), the Serial collector, a small heap, native memory trimmed: about 200 MB
# resident for the whole stack with 8 warm environments.
exec java $(grep -v '^#' local/jvm.options) --enable-native-access=ALL-UNNAMED -jar "$jar" "$@"
