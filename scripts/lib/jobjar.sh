# Shared by scripts/rekey and scripts/samples: finds the job jar, building it first when it is
# missing or older than any source or pom (so a fresh clone needs only Java 17 and Maven).
# shellcheck shell=bash

QKMS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

job_jar() {
  local jar
  jar="$(ls "$QKMS_ROOT"/pipeline/target/qkms-pipeline-*-job.jar 2>/dev/null | head -n 1 || true)"
  if [[ -n "$jar" ]] && [[ -z "$(find "$QKMS_ROOT/pom.xml" "$QKMS_ROOT/kms-engine" "$QKMS_ROOT/pipeline" \
        \( -path '*/target' -prune \) -o \( -type f \( -name '*.java' -o -name 'pom.xml' \
        -o -path '*/src/main/resources/*' \) -newer "$jar" -print \) 2>/dev/null | head -n 1)" ]]; then
    echo "$jar"
    return
  fi
  local log="$QKMS_ROOT/pipeline/target/job-jar-build.log"
  mkdir -p "$QKMS_ROOT/pipeline/target"
  echo "Building the job jar (first use or sources changed; log: $log) ..." >&2
  # Offline first (dependencies already in ~/.m2), then online.
  if ! mvn -B -q -o -f "$QKMS_ROOT/pom.xml" -pl pipeline -am -DskipTests package >"$log" 2>&1; then
    if ! mvn -B -q -f "$QKMS_ROOT/pom.xml" -pl pipeline -am -DskipTests package >"$log" 2>&1; then
      echo "The build failed; see $log" >&2
      tail -n 30 "$log" >&2
      exit 1
    fi
  fi
  jar="$(ls "$QKMS_ROOT"/pipeline/target/qkms-pipeline-*-job.jar | head -n 1)"
  echo "$jar"
}

# JVM options for the job (its arguments as arguments): the opens Flink and Beam need on Java 17
# (they reflect into the JDK), then for Flink the throughput collector unless JAVA_OPTS names a
# collector, then JAVA_OPTS. A batch job wants throughput, not short pauses: ParallelGC ran the
# 1M-record Flink benchmark 10-15% faster than G1 on two cores. The Direct runner keeps the write's
# whole GroupByKey in the heap; it stays on G1, which copes near a full heap where ParallelGC gives up
# ("GC overhead limit exceeded").
# Then, unless JAVA_OPTS sets one, the C2 compiler's thresholds ten times the default: in a fresh
# JVM on two cores C2 otherwise spends a whole core compiling the thousands of start-up methods
# (Flink's and Beam's set-up, class loading, serialization) that run a few thousand times and never
# again, and competes with the job's two threads; the per-record code is called millions of times
# and still reaches C2 within the first few percent of a million records. 1M-record Flink
# benchmark, 7 alternating pairs: 164k-236k -> 237k-284k records/s, start-up 0.6 s shorter.
qkms_java_opts() {
  local opts="--add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED"
  opts+=" --add-opens=java.base/java.nio=ALL-UNNAMED"
  local collector='-XX:[+]Use[A-Za-z0-9]+GC' direct='(^| )--runner[= ]DirectRunner( |$)'
  if [[ ! "${JAVA_OPTS:-}" =~ $collector && ! " $* " =~ $direct ]]; then
    opts+=" -XX:+UseParallelGC"
  fi
  if [[ ! "${JAVA_OPTS:-}" =~ -XX:Tier4 ]]; then
    opts+=" -XX:Tier4InvocationThreshold=50000 -XX:Tier4MinInvocationThreshold=6000"
    opts+=" -XX:Tier4CompileThreshold=150000 -XX:Tier4BackEdgeThreshold=400000"
  fi
  echo "$opts ${JAVA_OPTS:-}"
}

# The Flink embedded runner unless the arguments name a runner.
runner_default() {
  local a
  for a in "$@"; do
    case "$a" in --runner=*|--runner) return ;; esac
  done
  echo "--runner=FlinkRunner"
}

# --filesToStage=<job jar> when the arguments send the job to a cluster (--flinkMaster=host:port)
# and name no files to stage: the cluster then gets exactly the job jar.
files_to_stage() {
  local jar="$1" a remote=""
  shift
  for a in "$@"; do
    case "$a" in
      --filesToStage=*|--filesToStage) return ;;
      --flinkMaster=\[*) ;;
      --flinkMaster=?*) remote=1 ;;
    esac
  done
  if [[ -n "$remote" ]]; then echo "--filesToStage=$jar"; fi
}
