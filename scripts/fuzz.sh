#!/usr/bin/env bash
# Runs every libFuzzer target for a while: scripts/fuzz.sh [seconds per fuzzer, default 30].
# Configures and builds the `fuzz` preset (build-fuzz/, clang-14) when needed, copies each seed
# corpus from fuzz/corpus/<target>/ into a temporary directory (the repository is never written),
# and exits non-zero if any fuzzer finds a crash, a hang, a leak or undefined behaviour. The
# temporary directory, with the reproducer and the log, is kept and named when that happens.
set -euo pipefail

SECONDS_PER_FUZZER="${1:-30}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

if ! command -v clang++-14 > /dev/null; then
  echo "fuzz.sh: clang++-14 is missing (packaging/install-deps.sh installs it)" >&2
  exit 2
fi
if [ ! -f build-fuzz/build.ninja ]; then
  cmake --preset fuzz
fi
# One fuzzer per fuzz/fuzz_<name>.cpp, built as fuzz-<name>; only those (and the engine) are
# built, with two jobs: the machines this runs on have two cores shared with everything else.
FUZZERS=()
for source in fuzz/fuzz_*.cpp; do
  name="$(basename "$source" .cpp)"
  FUZZERS+=("${name//_/-}")
done
cmake --build --preset fuzz -j 2 --target "${FUZZERS[@]}"

# Longest input each fuzzer builds: flows are documents, expressions are one-liners or short
# scripts. A bigger ceiling only slows the mutations down.
declare -A MAX_LEN=([fuzz-parser]=8192 [fuzz-expression]=1024)

WORK="$(mktemp -d "${TMPDIR:-/tmp}/flowdeck-fuzz.XXXXXX")"
failed=()

run_fuzzer() {
  local name="$1"
  local dir="$WORK/$name"
  mkdir -p "$dir/corpus" "$dir/artifacts"
  if [ -d "fuzz/corpus/$name" ]; then
    cp -R "fuzz/corpus/$name/." "$dir/corpus/"
  fi
  local status=0
  # -timeout: one input running this long (s) is a hang; -rss_limit_mb: a memory blow-up.
  "build-fuzz/bin/$name" "$dir/corpus" \
    -max_total_time="$SECONDS_PER_FUZZER" -max_len="${MAX_LEN[$name]:-4096}" \
    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$dir/artifacts/" > "$dir/log.txt" 2>&1 || status=$?
  local runs rate
  runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log.txt")"
  rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/log.txt")"
  echo "$name: ${runs:-?} runs in ${SECONDS_PER_FUZZER} s, ${rate:-?} exec/s, exit ${status}"
  if [ "$status" -ne 0 ]; then
    failed+=("$name")
    echo "--- $name failed; reproducer(s) and log in $dir" >&2
    ls -1 "$dir/artifacts" >&2 || true
    grep -E -A40 '^==[0-9]+==ERROR|runtime error|^fuzz-|deadly signal|Timeout|out-of-memory' \
      "$dir/log.txt" | head -80 >&2 || tail -40 "$dir/log.txt" >&2
  fi
}

for name in "${FUZZERS[@]}"; do
  run_fuzzer "$name"
done

if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzz.sh: ${failed[*]} failed (kept $WORK)" >&2
  exit 1
fi
rm -rf "$WORK"
echo "fuzz.sh: no crash in ${SECONDS_PER_FUZZER} s per fuzzer"
