#!/bin/sh
# The streaming completion function's start script. Lambda Web Adapter runs it (AWS_LAMBDA_EXEC_WRAPPER=/opt/bootstrap,
# Handler: run.sh) in place of the Java runtime's own client: it starts the HTTP application named by
# SWITCHBOARD_HTTP_APP on the layer's jars (/opt/java/lib) and this function's classes ($LAMBDA_TASK_ROOT), on the
# port the adapter forwards to (AWS_LWA_PORT). The adapter relays SnapStart's hooks to it over HTTP.
exec java -XX:MaxRAMPercentage=75 -XX:+UseSerialGC -Djava.net.preferIPv4Stack=true \
  -cp "${LAMBDA_TASK_ROOT}:/opt/java/lib/*" "${SWITCHBOARD_HTTP_APP:-io.switchboard.completion.CompletionServer}"
