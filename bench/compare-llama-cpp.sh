#!/usr/bin/env bash
# Junction next to llama.cpp on this machine, same files, same threads, same tests.
#
#   bench/compare-llama-cpp.sh [-t 1,2] [-p 128] [-n 64] [-r 3] [-k 2] MODEL.gguf...
#
# Reference figures from another machine say little on a shared, noisy one, so this builds llama.cpp's llama-bench
# here (once; cached) and runs it and `junction bench` alternately: each of the -k rounds runs both on every model,
# so a busy spell of the host hits both alike. Prints t/s per engine (mean of the rounds' means) and the ratio.
#
# The llama.cpp source is the one the npm package node-llama-cpp ships (a git bundle of a tagged llama.cpp), so it
# builds where only package registries are reachable. Needs npm, git, cmake, a C/C++ compiler and jq. The build is
# CPU-only with -march=native (LLAMA_CPU=avx2: AVX2 only, see below) and llama.cpp's defaults; weights are read into memory on both sides (llama-bench
# -lm none, junction's default), as in the project's baseline figures (taken with -mmp 0). Junction warms each test
# up once before timing it; on tiny models, where JIT compilation fills most of a short run, give more repetitions.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="${NODE_LLAMA_CPP_VERSION:-3.22.1}"
# LLAMA_CPU: native (default: -march=native) or avx2 (AVX2/FMA/F16C only, for virtual machines that report CPU
# features their host does not let them use: seen here as llama-bench dying of an illegal instruction)
cpu="${LLAMA_CPU:-native}"
case "$cpu" in
  native) cpu_flags=(-DGGML_NATIVE=ON) ;;
  avx2) cpu_flags=(-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=OFF) ;;
  *) echo "compare-llama-cpp: LLAMA_CPU is native or avx2, not '$cpu'" >&2; exit 2 ;;
esac
cache="${JUNCTION_CACHE:-$HOME/.cache/junction}/llama.cpp-node-llama-cpp-$version"
build="$cache/build-$cpu"

threads=2 prompt=128 gen=64 reps=3 rounds=2
usage() { sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while getopts "t:p:n:r:k:h" opt; do
  case "$opt" in
    t) threads="$OPTARG" ;; p) prompt="$OPTARG" ;; n) gen="$OPTARG" ;; r) reps="$OPTARG" ;; k) rounds="$OPTARG" ;;
    *) usage ;;
  esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || usage
for tool in npm git cmake jq; do
  command -v "$tool" >/dev/null || { echo "compare-llama-cpp: needs $tool" >&2; exit 1; }
done

llama_bench="$build/bin/llama-bench"
if [ ! -x "$llama_bench" ]; then
  echo "compare-llama-cpp: building llama-bench from node-llama-cpp@$version's llama.cpp (a few minutes, once)…" >&2
  mkdir -p "$cache"
  (cd "$cache" && npm pack --silent "node-llama-cpp@$version" >/dev/null \
    && tar xzf "node-llama-cpp-$version.tgz" package/llama/gitRelease.bundle package/llama/llama.cpp.info.json \
    && { [ -d src ] || git -c advice.detachedHead=false clone -q package/llama/gitRelease.bundle src; })
  cmake -S "$cache/src" -B "$build" -DCMAKE_BUILD_TYPE=Release "${cpu_flags[@]}" -DLLAMA_CURL=OFF \
    -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=OFF >"$cache/cmake.log"
  cmake --build "$build" --target llama-bench -j "$(nproc)" >"$cache/build.log"
fi
echo "llama.cpp: $(jq -r '.llamaCppGithubRepo + " " + .tag' "$cache/package/llama/llama.cpp.info.json") (node-llama-cpp@$version), $("$llama_bench" --version 2>&1 | head -1)" >&2

results="$(mktemp)"
trap 'rm -f "$results"' EXIT
for round in $(seq "$rounds"); do
  for model in "$@"; do
    echo "round $round: $(basename "$model")" >&2
    "$llama_bench" -m "$model" -t "$threads" -p "$prompt" -n "$gen" -r "$reps" -lm none -o jsonl 2>/dev/null \
      | jq -c '{engine: "llama.cpp", model: (.model_filename | split("/") | last), n_threads, n_prompt, n_gen, avg_ts}' >>"$results"
    "$root/junction" bench "$model" -t "$threads" -p "$prompt" -n "$gen" -r "$reps" --bandwidth-mib 0 --json 2>/dev/null \
      | jq -c 'select(.avg_ts != null and (.n_seq // 1) == 1)
               | {engine: "junction", model: (.model_filename | split("/") | last), n_threads, n_prompt, n_gen, avg_ts}' >>"$results"
  done
done

# One row per model, threads and test: each engine's mean over the rounds, and junction ÷ llama.cpp.
jq -rs '
  group_by([.model, .n_threads, (.n_gen > 0), .n_prompt, .n_gen])[]
  | { key: .[0], j: [.[] | select(.engine == "junction") | .avg_ts], l: [.[] | select(.engine == "llama.cpp") | .avg_ts] }
  | select((.j | length) > 0 and (.l | length) > 0)
  | (.j | add / length) as $j | (.l | add / length) as $l
  | [ .key.model, .key.n_threads,
      (if .key.n_gen > 0 then "tg\(.key.n_gen)" else "pp\(.key.n_prompt)" end),
      ($j * 100 | round / 100), ($l * 100 | round / 100), ($j / $l * 100 | round / 100) ]
  | @tsv' "$results" \
  | { printf 'model\tthreads\ttest\tjunction t/s\tllama.cpp t/s\tjunction / llama.cpp\n'; cat; } | column -t -s $'\t'
