# The launchers' shared library (scripts/rekey, samples, qkms, flink-cluster, bench, http-load):
# which Java runs them, building what they run when it is missing or stale, Java 25's start-up
# cache, usage text and errors, free ports. Sourced, never run.
# shellcheck shell=bash

# A CDPATH from the user's shell would send the relative `cd`s of the launchers elsewhere.
unset CDPATH
QKMS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# The script that was run (the outermost file): its name prefixes messages, its header is its usage.
QKMS_SCRIPT="${BASH_SOURCE[${#BASH_SOURCE[@]} - 1]}"
QKMS_NAME="$(basename "$QKMS_SCRIPT")"

# ---- usage and errors ---------------------------------------------------------------------------

# The script's header comment: from its second line to the first line that is not a comment.
qkms_usage() {
  awk 'NR == 1 { next } !/^#/ { exit } { sub(/^# ?/, ""); print }' "$QKMS_SCRIPT"
}

# A usage mistake: one line on stderr, exit 2.
qkms_usage_error() {
  echo "$QKMS_NAME: $* (--help shows the usage)" >&2
  exit 2
}

# Anything else that stops a launcher: one line on stderr, exit 1.
qkms_die() {
  echo "$QKMS_NAME: $*" >&2
  exit 1
}

# ---- Java ---------------------------------------------------------------------------------------
#
# Which Java runs the launchers' JVMs, in this order:
#   1. $JAVA_HOME when it is set (it must hold Java 17 or newer);
#   2. else the newest Java 17 or newer among: the `java` on PATH, /usr/lib/jvm/*, /usr/java/*,
#      /opt/java/*, /opt/jdk*, ~/.sdkman/candidates/java/*, /Library/Java/JavaVirtualMachines/*/
#      Contents/Home (on equal versions, the first found).
# The build (Maven) is left to its own JAVA_HOME/PATH; every module is compiled for release 17.

# The version of the Java installation in $1 (e.g. 25.0.3), from its release file or, without
# one, from the JVM itself; nothing and false if $1 holds no java. (Builtins only where it can:
# the launchers run this on every start.)
qkms_java_version() {
  local home="$1" line v=""
  [[ -x "$home/bin/java" ]] || return 1
  if [[ -r "$home/release" ]]; then
    while IFS= read -r line; do
      if [[ "$line" =~ ^JAVA_VERSION=\"([^\"]*)\" ]]; then
        v="${BASH_REMATCH[1]}"
        break
      fi
    done <"$home/release"
  fi
  if [[ -z "$v" ]]; then
    v="$("$home/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.version = //p')"
  fi
  [[ -n "$v" ]] && echo "$v"
}

# The feature release of version $1: 25 for 25.0.3, 8 for 1.8.0_392; 0 if it is not a version.
qkms_java_feature() {
  local v="$1"
  [[ "$v" == 1.* ]] && v="${v#1.}"
  v="${v%%[.+_-]*}"
  if [[ "$v" =~ ^[0-9]+$ ]]; then echo "$v"; else echo 0; fi
}

# True when version $1 is newer than version $2 (numerically, part by part: 25.0.10 > 25.0.9).
qkms_java_newer() {
  local -a a b
  local i
  IFS='.+_-' read -r -a a <<<"$1"
  IFS='.+_-' read -r -a b <<<"$2"
  for i in 0 1 2 3; do
    [[ "${a[i]:-0}" =~ ^[0-9]+$ && "${b[i]:-0}" =~ ^[0-9]+$ ]] || return 1
    (( 10#${a[i]:-0} > 10#${b[i]:-0} )) && return 0
    (( 10#${a[i]:-0} < 10#${b[i]:-0} )) && return 1
  done
  return 1
}

# Every Java installation found (the places of step 2, in order), one "VERSION HOME" a line.
# Symbolic links to another folder of the list (Debian's java-1.17.0-openjdk-amd64) are skipped.
qkms_java_installations() {
  local seen=" " home v p
  local candidates=()
  p="$(command -v java 2>/dev/null || true)"
  if [[ -n "$p" ]]; then
    p="$(readlink -f "$p")"
    candidates+=("${p%/bin/java}")
  fi
  candidates+=(/usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* "${HOME:-/nonexistent}"/.sdkman/candidates/java/*
    /Library/Java/JavaVirtualMachines/*/Contents/Home)
  for home in "${candidates[@]}"; do
    [[ -x "$home/bin/java" ]] || continue
    if [[ -L "$home" ]]; then
      home="$(readlink -f "$home")"
    fi
    [[ "$seen" == *" $home "* ]] && continue
    seen+="$home "
    v="$(qkms_java_version "$home")" || continue
    echo "$v $home"
  done
}

# The newest installation of Java 17 or newer, "VERSION HOME"; with $1, only of that feature
# release (e.g. 17).
qkms_newest_java() {
  local want="${1:-}" v home f best_v="" best_home=""
  while read -r v home; do
    f="$(qkms_java_feature "$v")"
    (( f >= 17 )) || continue
    [[ -z "$want" || "$f" == "$want" ]] || continue
    if [[ -z "$best_v" ]] || qkms_java_newer "$v" "$best_v"; then
      best_v="$v"
      best_home="$home"
    fi
  done < <(qkms_java_installations)
  [[ -n "$best_v" ]] && echo "$best_v $best_home"
}

# Chooses the Java (see above) and sets QKMS_JAVA (the java binary), QKMS_JAVA_HOME,
# QKMS_JAVA_VERSION, QKMS_JAVA_FEATURE and QKMS_JAVA_CHOSEN_BY (JAVA_HOME or newest).
qkms_java() {
  local found
  if [[ -n "${JAVA_HOME:-}" ]]; then
    QKMS_JAVA_HOME="$(readlink -f "$JAVA_HOME" 2>/dev/null || echo "$JAVA_HOME")"
    QKMS_JAVA_VERSION="$(qkms_java_version "$QKMS_JAVA_HOME")" ||
      qkms_die "JAVA_HOME=$JAVA_HOME holds no bin/java; point it at a Java 17 or newer, or unset it"
    QKMS_JAVA_CHOSEN_BY=JAVA_HOME
  else
    found="$(qkms_newest_java)" ||
      qkms_die "no Java 17 or newer found (on PATH or in /usr/lib/jvm); install one or set JAVA_HOME"
    QKMS_JAVA_VERSION="${found%% *}"
    QKMS_JAVA_HOME="${found#* }"
    QKMS_JAVA_CHOSEN_BY=newest
  fi
  QKMS_JAVA_FEATURE="$(qkms_java_feature "$QKMS_JAVA_VERSION")"
  (( QKMS_JAVA_FEATURE >= 17 )) ||
    qkms_die "JAVA_HOME=$JAVA_HOME is Java $QKMS_JAVA_VERSION; QKMS needs Java 17 or newer"
  QKMS_JAVA="$QKMS_JAVA_HOME/bin/java"
}

# One line saying which Java runs and why (for --version).
qkms_java_line() {
  local why="the newest Java 17 or newer found; set JAVA_HOME to choose"
  [[ "$QKMS_JAVA_CHOSEN_BY" == JAVA_HOME ]] && why="from JAVA_HOME"
  echo "java $QKMS_JAVA_VERSION ($QKMS_JAVA_HOME; $why)"
}

# JVM options every launched JVM gets for its Java version. From Java 24 on, the JVM warns on
# stderr when a library uses native access (Snappy, zstd) or sun.misc.Unsafe's memory access
# (protobuf, Flink, Avro): allowed here, as on Java 17, so that a run prints only its own output.
qkms_java_compat_opts() {
  if (( ${QKMS_JAVA_FEATURE:-0} >= 24 )); then
    echo "--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
  fi
}

# System properties that tell the program which Java the launcher chose and why (a report can
# record them beside java.version and java.home), and the start-up cache it was given ($1, or none).
qkms_java_props() {
  echo "-Dqkms.java.chosenBy=$QKMS_JAVA_CHOSEN_BY -Dqkms.aotCache=${1:-none}"
}

# ---- building -----------------------------------------------------------------------------------

# qkms_stale TARGET PATH...: true when TARGET is missing, or a pom.xml or a file under src/main of
# the PATHs is newer (what the build reads; tests, target/ and samples/work/ do not count).
qkms_stale() {
  local target="$1"
  shift
  [[ -e "$target" ]] || return 0
  [[ -n "$(find "$@" \( -name target -o -path "$QKMS_ROOT/samples/work" \) -prune -o -type f \
    \( -name pom.xml -o -path '*/src/main/*' \) -newer "$target" -print -quit 2>/dev/null)" ]]
}

# One build or start-up cache at a time in this checkout: concurrent launchers wait here.
qkms_lock() {
  mkdir -p "$QKMS_ROOT/target"
  exec 8>"$QKMS_ROOT/target/.launcher.lock"
  flock 8
}

qkms_unlock() {
  flock -u 8 2>/dev/null || true
  exec 8>&-
}

# The text with terminal escape codes removed (Maven writes some even in batch mode).
qkms_strip_ansi() {
  sed -u $'s/\e\\[[0-9;?]*[A-Za-z]//g'
}

# The first error line of a Maven log, without its "[ERROR] " (the cause; the lines after it are
# Maven's advice and the reactor summary).
qkms_first_error() {
  grep -m 1 -E '^\[ERROR\] .*[^ :]$' "$1" | grep -v -E 'COMPILATION ERROR|^\[ERROR\] *$' |
    sed 's/^\[ERROR\] *//' | cut -c 1-400 || true
}

# qkms_maven LOG ARGS...: mvn -B -q ARGS on the project, its output (escape codes removed) in LOG.
qkms_maven() {
  local log="$1"
  shift
  mvn -B -q -Dstyle.color=never -f "${QKMS_POM:-$QKMS_ROOT/pom.xml}" "$@" 2>&1 | qkms_strip_ansi >"$log"
  return "${PIPESTATUS[0]}"
}

# qkms_build WHAT LOG MAVEN_ARGS...: builds with Maven, offline first (fast, and works without a
# network once ~/.m2 has everything), then online. On failure: the first error and the log's
# path, exit 1.
qkms_build() {
  local what="$1" log="$2" first
  shift 2
  command -v mvn >/dev/null 2>&1 || qkms_die "building $what needs Maven 3.8 or newer (mvn) on PATH"
  mkdir -p "$(dirname "$log")"
  echo "$QKMS_NAME: building $what (first use, or its sources changed; log: $log) ..." >&2
  if qkms_maven "$log" -o "$@" || qkms_maven "$log" "$@"; then
    return 0
  fi
  first="$(qkms_first_error "$log")"
  echo "$QKMS_NAME: the build of $what failed: ${first:-see the log}" >&2
  qkms_die "the build's log: $log"
}

# ---- Java 25's ahead-of-time cache --------------------------------------------------------------
#
# From Java 25 on (JEP 483, 514, 515) a training run records what a program loads, links and
# profiles into a cache file, and later runs start from it. A cache belongs to one jar and one
# JDK: it lives next to the jar, named after the JDK's version, and is made again when the jar is
# newer. The JVM itself refuses a cache that does not match its class path; its messages are
# turned off, so such a run simply starts without one. QKMS_AOT=off runs without any cache.

# The cache file for JAR and this Java: JAR's path with .jar replaced.
qkms_aot_file() {
  echo "${1%.jar}.java-$QKMS_JAVA_VERSION.aot"
}

# True when this Java can use a cache for JAR (Java 25 or newer, not turned off).
qkms_aot_wanted() {
  (( ${QKMS_JAVA_FEATURE:-0} >= 25 )) && [[ "${QKMS_AOT:-on}" != off ]]
}

# True when JAR has a cache made from it (not older than the jar).
qkms_aot_ready() {
  local cache
  cache="$(qkms_aot_file "$1")"
  [[ -s "$cache" && ! "$1" -nt "$cache" ]]
}

# The JVM options that start from JAR's cache, if it is ready; nothing otherwise.
qkms_aot_opts() {
  if qkms_aot_wanted && qkms_aot_ready "$1"; then
    echo "-XX:AOTCache=$(qkms_aot_file "$1") -Xlog:aot*=off -Xlog:cds*=off"
  fi
}

# True when JAR needs a cache made: this Java can use one, there is none not older than the jar,
# and no training of this jar failed (its log is kept next to the jar; a new jar tries again).
qkms_aot_needed() {
  local log
  qkms_aot_wanted || return 1
  qkms_aot_ready "$1" && return 1
  log="$(qkms_aot_file "$1").log"
  [[ ! -f "$log" || "$1" -nt "$log" ]]
}

# qkms_aot_train JAR WHAT JVM_ARGS...: makes JAR's cache with a training run, java JVM_ARGS with
# -XX:AOTCacheOutput. Skipped when not needed, or when another launcher is making it (this run
# then goes on without a cache). Written aside and renamed, so that no run maps half a cache.
qkms_aot_train() {
  local jar="$1" what="$2" cache log tmp
  shift 2
  qkms_aot_needed "$jar" || return 0
  cache="$(qkms_aot_file "$jar")"
  log="$cache.log"
  mkdir -p "$QKMS_ROOT/target"
  exec 7>"$QKMS_ROOT/target/.aot.lock"
  if ! flock -n 7; then
    exec 7>&-
    return 0
  fi
  if qkms_aot_needed "$jar"; then
    echo "$QKMS_NAME: making the Java $QKMS_JAVA_FEATURE start-up cache for $what" \
      "(once per build; it takes a while) ..." >&2
    tmp="$cache.$$.tmp"
    rm -f "$tmp"
    if "$QKMS_JAVA" -XX:AOTCacheOutput="$tmp" "$@" >"$log" 2>&1 && [[ -s "$tmp" ]]; then
      mv -f "$tmp" "$cache"
      rm -f "$log"
    else
      rm -f "$tmp" "$tmp.config"
      echo "$QKMS_NAME: could not make the start-up cache (log: $log); running without it" >&2
    fi
  fi
  flock -u 7
  exec 7>&-
}

# ---- ports --------------------------------------------------------------------------------------

# A loopback TCP port nobody listens on, other than the ones given, below the kernel's ephemeral
# range: a port in that range can be taken by any socket the OS numbers itself (a bind to port 0,
# an outgoing connection) between this pick and the bind of the process it was picked for.
qkms_free_port() {
  local used p low=32768 range
  range="$(cat /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || true)"
  [[ "$range" =~ ^([0-9]+) ]] && low="${BASH_REMATCH[1]}"
  (( low > 12000 )) || low=32768
  used=" $(ss -Htln 2>/dev/null | awk '{print $4}' | sed 's/.*://' | tr '\n' ' ') $* "
  for _ in $(seq 1 200); do
    p=$((10000 + (RANDOM * 32768 + RANDOM) % (low - 10000)))
    if [[ "$used" != *" $p "* ]] && ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return
    fi
  done
  qkms_die "no free port found"
}
