# shellcheck shell=bash disable=SC2034,SC2153  # the variables are set by and for the calling script
# Sourced by scripts/demo, scripts/replay, scripts/bench and scripts/soak (not run on its own).
#
# The caller sets, before calling local_runner_prepare SCOPE (compile | test):
#   ROOT       repository root
#   TOOL       the script's name (messages, log file job/target/local/$TOOL.log, mvn-$TOOL.log)
#   NEEDS_NODE true when the run starts the embedded ClickHouse (installs it once with npm ci)
#   MVN_FLAGS  optional extra Maven flags (from the environment)
# and gets back:
#   CP    the classpath: job/target/classes (+ test-classes for SCOPE=test) and the module's dependencies
#   JVM   an array of JVM flags (G1, UTC, UTF-8, the endpoint's directory, the repository, log4j)
#   LOG   the tool's log file
#   BUILD job/target/local
# and TZ=UTC is exported.

local_runner_prepare() {
  local scope="$1"  # compile | test
  for tool in java mvn; do
    command -v "$tool" >/dev/null || { echo "$TOOL: '$tool' is not on the PATH (needs JDK 17+ and Maven)" >&2; exit 1; }
  done
  local ch="$ROOT/scripts/embedded-clickhouse"
  if [[ "$NEEDS_NODE" == true && ! -f "$ch/node_modules/chdb/package.json" ]]; then
    command -v npm >/dev/null || { echo "$TOOL: 'npm' is not on the PATH (needs Node 20+)" >&2; exit 1; }
    echo "$TOOL: installing the embedded ClickHouse endpoint once (npm ci, ~550 MB)…" >&2
    npm ci --no-audit --no-fund --prefix "$ch" >&2
  fi
  BUILD="$ROOT/job/target/local"
  mkdir -p "$BUILD"
  local goal=compile
  [[ "$scope" == test ]] && goal=test-compile
  echo "$TOOL: compiling the job module (mvn -q -pl job $goal)…" >&2
  # shellcheck disable=SC2086
  if ! (cd "$ROOT" && mvn -B -Dstyle.color=never ${MVN_FLAGS:-} -pl job "$goal" dependency:build-classpath \
      -Dmdep.includeScope="$scope" -Dmdep.outputFile="$BUILD/classpath-$scope.txt") > "$BUILD/mvn-$TOOL.log" 2>&1; then
    tail -40 "$BUILD/mvn-$TOOL.log" >&2
    echo "$TOOL: the build failed (full output: $BUILD/mvn-$TOOL.log)" >&2
    exit 1
  fi
  CP="$ROOT/job/target/classes:$(cat "$BUILD/classpath-$scope.txt")"
  [[ "$scope" == test ]] && CP="$ROOT/job/target/test-classes:$CP"
  LOG="$BUILD/$TOOL.log"
  cat > "$BUILD/log4j2-local.properties" <<'PROPS'
# Written by scripts/lib/local-runner.sh: everything at WARN (project at INFO) into the tool's log file.
rootLogger.level = WARN
rootLogger.appenderRef.file.ref = File
appender.file.name = File
appender.file.type = File
appender.file.fileName = ${sys:netobservch.log:-@OTHER_JVM_LOG@}
appender.file.append = false
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = %d{HH:mm:ss,SSS} %-5p %-40.40c{1.} [%t] %m%n
logger.project.name = io.github.netobservch
logger.project.level = INFO
logger.kafka.name = kafka
logger.kafka.level = ERROR
logger.apachekafka.name = org.apache.kafka
logger.apachekafka.level = ERROR
logger.metricgroup.name = org.apache.flink.runtime.metrics.groups
logger.metricgroup.level = ERROR
logger.metricgroupapi.name = org.apache.flink.metrics.MetricGroup
logger.metricgroupapi.level = ERROR
PROPS
  # A JVM started from the tool (the benchmark's forked broker) may read this file without the
  # property: its log goes beside the tool's instead of into a file named after the placeholder.
  sed -i "s|@OTHER_JVM_LOG@|$BUILD/$TOOL-child.log|" "$BUILD/log4j2-local.properties"
  JVM=(-XX:+UseG1GC -Duser.timezone=UTC -Dfile.encoding=UTF-8
       "-Dembedded.clickhouse.dir=$ch" "-Dnetobservch.repo=$ROOT"
       "-Dlog4j.configurationFile=$BUILD/log4j2-local.properties" "-Dnetobservch.log=$LOG")
  export TZ=UTC
}
