# Selects a JDK >= 21 for Warren's scripts; sourced by bin/test, bin/demo, bin/benchmark and .ci/run.
#
# Order: $JAVA_HOME, the `java` on PATH, Temurin 25 at /usr/lib/jvm/temurin-25-jdk-amd64, then any
# other JDK under /usr/lib/jvm. Exports JAVA_HOME and puts its bin/ first on PATH, so ./mvnw and
# `java -jar` use the same JDK. Returns 1 with a message on stderr when none is new enough.

WARREN_MIN_JAVA=21

# Prints the feature version (17, 21, 25, ...) of the java binary $1, or nothing.
warren_java_version() {
  local line version
  line=$("$1" -version 2>&1 | grep -m1 -E 'version "[^"]+"') || return 0
  version=${line#*version \"}
  version=${version%%\"*}
  case $version in
    1.*) version=${version#1.} ;;
  esac
  version=${version%%[.+-]*}
  [[ $version =~ ^[0-9]+$ ]] && echo "$version"
}

# True when $1 is a JDK home (has javac) whose java is >= WARREN_MIN_JAVA.
warren_is_good_jdk() {
  local home=$1 v
  [[ -n $home && -x $home/bin/java && -x $home/bin/javac ]] || return 1
  v=$(warren_java_version "$home/bin/java")
  [[ -n $v && $v -ge $WARREN_MIN_JAVA ]]
}

warren_select_jdk() {
  local candidate path_java
  local -a candidates=()
  [[ -n ${JAVA_HOME:-} ]] && candidates+=("$JAVA_HOME")
  if path_java=$(command -v java 2>/dev/null); then
    path_java=$(readlink -f "$path_java")
    candidates+=("${path_java%/bin/java}")
  fi
  candidates+=(/usr/lib/jvm/temurin-25-jdk-amd64)
  for candidate in /usr/lib/jvm/*/; do
    candidates+=("${candidate%/}")
  done
  for candidate in "${candidates[@]}"; do
    if warren_is_good_jdk "$candidate"; then
      export JAVA_HOME=$candidate
      export PATH="$JAVA_HOME/bin:$PATH"
      return 0
    fi
  done
  echo "error: Warren needs a JDK ${WARREN_MIN_JAVA} or newer, and none was found" >&2
  echo "       (looked at \$JAVA_HOME, the java on PATH and /usr/lib/jvm/*)." >&2
  echo "       Install one (e.g. apt-get install openjdk-21-jdk, or Temurin 21+) or set JAVA_HOME to it." >&2
  return 1
}
