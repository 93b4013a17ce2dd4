# Sourced by local/run.sh, local/test.sh and .ci/run: exports JAVA_HOME for a JDK >= 21 (installing one from
# Debian's packages when none is on the machine) and puts it first on PATH.
java_major() { "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | cut -d. -f1; }
sb_find_jdk() {
  local candidates=() c
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  command -v javac >/dev/null 2>&1 && candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")")
  for c in /usr/lib/jvm/*; do [ -d "$c" ] && candidates+=("$c"); done
  for c in "${candidates[@]}"; do
    if [ -x "$c/bin/javac" ] && [ "$(java_major "$c/bin/java")" -ge 21 ] 2>/dev/null; then
      echo "$c"; return 0
    fi
  done
  return 1
}
if ! SB_JDK=$(sb_find_jdk); then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "No JDK >= 21 found; installing one from Debian's packages" >&2
    apt-get update -qq >/dev/null 2>&1 || true
    for pkg in openjdk-25-jdk-headless openjdk-21-jdk-headless; do
      if DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg" >/dev/null 2>&1; then break; fi
    done
  fi
  SB_JDK=$(sb_find_jdk) || { echo "Switchboard needs a JDK >= 21: install one and set JAVA_HOME" >&2; return 1 2>/dev/null || exit 1; }
fi
export JAVA_HOME="$SB_JDK"
export PATH="$JAVA_HOME/bin:$PATH"
