# shellcheck shell=bash
# Sourced by scripts/apply-schema and scripts/query (not run on its own): run_job_main TOOL MAIN ARGS...
# runs a main class of the job module from the shaded job jar when it is newer than the sources, else
# compiles the module and runs from its classes and Maven classpath.

run_job_main() {
  local tool="$1" main="$2"
  shift 2
  local jar="$ROOT/job/target/netobserv-clickhouse-job.jar"
  if [[ -f "$jar" && -z "$(find "$ROOT/job/src/main" -newer "$jar" -print -quit)" ]]; then
    # The jar leaves out what the Flink distribution provides, slf4j-api included, which the ClickHouse
    # client needs: take it from the local Maven repository.
    local slf4j
    slf4j="$(ls "${HOME}"/.m2/repository/org/slf4j/slf4j-api/*/slf4j-api-*.jar 2>/dev/null | grep -v -- '-sources' | sort -V | tail -1 || true)"
    if [[ -n "$slf4j" ]]; then
      exec java -cp "$jar:$slf4j" "$main" "$@"
    fi
    echo "$tool: no slf4j-api jar in ~/.m2; falling back to the Maven classpath" >&2
  fi
  echo "$tool: no up-to-date $jar; compiling the job module (mvn -q -pl job compile)" >&2
  cd "$ROOT"
  mvn -q -B -pl job compile
  local cp_file
  cp_file="$(mktemp)"
  mvn -q -B -pl job dependency:build-classpath -Dmdep.includeScope=compile -Dmdep.outputFile="$cp_file" >/dev/null
  local cp
  cp="$(cat "$cp_file")"
  rm -f "$cp_file"
  exec java -cp "$ROOT/job/target/classes:$cp" "$main" "$@"
}
