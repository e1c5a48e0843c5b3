# The job's part of the launchers (scripts/rekey, scripts/samples, scripts/bench): the job jar and
# the samples jar (built together, when missing or older than their sources), the job's JVM
# options, and the job jar's Java 25 start-up cache. Sourced, never run.
# shellcheck shell=bash

# shellcheck source=launcher.sh
source "$(dirname "${BASH_SOURCE[0]}")/launcher.sh"

# What the job jar is built from, and what the samples jar adds.
job_sources() {
  echo "$QKMS_ROOT/pom.xml" "$QKMS_ROOT/kms-engine/pom.xml" "$QKMS_ROOT/kms-engine/core" \
    "$QKMS_ROOT/pipeline/pom.xml" "$QKMS_ROOT/pipeline/src"
}

samples_sources() {
  echo "$QKMS_ROOT/samples/pom.xml" "$QKMS_ROOT/samples/src" \
    "$QKMS_ROOT/samples/sample-data/pom.xml" "$QKMS_ROOT/samples/sample-data/src"
}

job_jar_path() {
  ls "$QKMS_ROOT"/pipeline/target/qkms-pipeline-*-job.jar 2>/dev/null | head -n 1 || true
}

samples_jar_path() {
  ls "$QKMS_ROOT"/samples/target/qkms-samples-*.jar 2>/dev/null | head -n 1 || true
}

job_jar_stale() {
  local jar
  jar="$(job_jar_path)"
  # shellcheck disable=SC2046 # the sources are paths without spaces below QKMS_ROOT
  [[ -z "$jar" ]] || qkms_stale "$jar" $(job_sources)
}

job_jars_stale() {
  local samples
  samples="$(samples_jar_path)"
  # shellcheck disable=SC2046
  job_jar_stale || [[ -z "$samples" ]] || qkms_stale "$samples" $(job_sources) $(samples_sources)
}

# Builds Maven module $2 (and what it needs) when the check $1 says the jars are stale; under the
# build lock, checked again inside it, so concurrent launchers build once.
build_when_stale() {
  local stale="$1" module="$2"
  if "$stale"; then
    qkms_lock
    if "$stale"; then
      qkms_build "the job jar" "$QKMS_ROOT/pipeline/target/job-jar-build.log" \
        -pl "$module" -am -DskipTests package
    fi
    qkms_unlock
  fi
}

# Sets JOB_JAR, building it first when it is missing or stale (so a fresh clone needs only Java 17
# and Maven). The samples jar is left alone: a re-key run does not need it, and a Maven build that
# runs the launchers in its tests has not made it yet at that point.
job_jar_alone() {
  build_when_stale job_jar_stale pipeline
  JOB_JAR="$(job_jar_path)"
  [[ -n "$JOB_JAR" ]] || qkms_die "the build made no job jar"
}

# Sets JOB_JAR and SAMPLES_JAR, building both first when either is missing or stale.
job_jars() {
  build_when_stale job_jars_stale samples
  JOB_JAR="$(job_jar_path)"
  SAMPLES_JAR="$(samples_jar_path)"
  [[ -n "$JOB_JAR" && -n "$SAMPLES_JAR" ]] || qkms_die "the build made no job jar"
}

# Prints the job jar's path (building it first if needed).
job_jar() {
  job_jar_alone
  echo "$JOB_JAR"
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
# benchmark, 7 alternating pairs: 164k-236k -> 237k-284k records/s, start-up 0.6 s shorter. Java
# 25's start-up cache, with the method profiles it keeps, does not change that (236k -> 295k).
qkms_java_opts() {
  local opts="--add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED"
  opts+=" --add-opens=java.base/java.nio=ALL-UNNAMED"
  local compat
  compat="$(qkms_java_compat_opts)"
  [[ -n "$compat" ]] && opts+=" $compat"
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

# The job jar's start-up cache, made when it is missing (Java 25 or newer): fresh samples in a
# private folder, then a training run that re-keys their customers.avro on Flink embedded (as
# `scripts/rekey --samples` does), all of it deleted afterwards. The samples jar sits after the
# job jar on class paths, so scripts/samples uses the same cache.
job_aot_train() {
  qkms_aot_needed "$JOB_JAR" || return 0
  job_jars
  local tmp
  tmp="$(mktemp -d "${TMPDIR:-/tmp}/qkms-aot-training-XXXXXX")"
  # shellcheck disable=SC2046
  if "$QKMS_JAVA" $(qkms_java_compat_opts) -cp "$JOB_JAR:$SAMPLES_JAR" io.qkms.samples.SamplesTool \
      --work="$tmp/samples" init >"$tmp/init.log" 2>&1; then
    # shellcheck disable=SC2046
    qkms_aot_train "$JOB_JAR" "the job" $(qkms_java_opts --runner=FlinkRunner) \
      -Djava.io.tmpdir="$tmp" -cp "$JOB_JAR" io.qkms.pipeline.ReKeyJob --runner=FlinkRunner \
      --input="$tmp/samples/data/customers.avro" --output="$tmp/run" \
      --keystore="$tmp/samples/keystore" --fields='card.number,items[].secret,note' \
      --destinationKeyId=alias/sample-new --sourceEncryptionContext='{"tenant":"${tenant_id}"}' \
      --destinationEncryptionContext='{"tenant":"${tenant_id}"}'
  fi
  rm -rf "$tmp"
}

# One line about the job jar's start-up cache (for --version).
job_aot_line() {
  if (( QKMS_JAVA_FEATURE < 25 )); then
    echo "start-up cache: none (Java $QKMS_JAVA_FEATURE has none; Java 25 or newer makes one)"
  elif [[ "${QKMS_AOT:-on}" == off ]]; then
    echo "start-up cache: off (QKMS_AOT=off)"
  elif qkms_aot_ready "$JOB_JAR"; then
    echo "start-up cache: $(qkms_aot_file "$JOB_JAR")"
  else
    echo "start-up cache: none yet (the next job run makes it)"
  fi
}
