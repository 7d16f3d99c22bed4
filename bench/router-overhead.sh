#!/usr/bin/env bash
# Router overhead: what a router adds in front of an upstream that answers at once, measured side by side in one run.
#
#   bench/router-overhead.sh        settings from the environment: TARGETS DURATION WARMUP ROUNDS CONNECTIONS PIN
#
# Builds the bench module (mvn package; its instant upstream, dev.junction.bench.upstream.InstantUpstream) and what
# the targets need, starts the instant upstream and, for each target, what stands in front of it:
#   direct    wrk talks to the instant upstream itself: the baseline
#   junction  ./junction serve --config FILE, a generated router configuration with one model "m" on one supplier
#             "instant" (kind openai) at the instant upstream; every answer must carry x-junction-supplier: instant
#   auth_sqlite    junction as above with the business edition on: serve --auth (SQLite in a fresh data folder),
#                  requests with a key whose every limit (and its organization's) is set high, so each request is
#                  authenticated, admitted and settled against all five limits and metered into the ledger
#   auth_postgres  the same on a real PostgreSQL (dev.junction.bench.db.PostgresServer, started here)
#   portkey   Portkey's open-source gateway (npm package @portkey-ai/gateway, installed into bench/target/portkey),
#             started with its node entry (what `npx gateway` runs) --headless, sent to the instant upstream by the
#             x-portkey-provider: openai and x-portkey-custom-host headers
# Then, per round, target and mode (plain, and "stream": true with usage asked for): the latency at concurrency 1
# (wrk -t1 -c1: p50 and p99 from wrk's histogram, to the last byte of the answer) and the requests per second at
# CONNECTIONS (wrk -t2), each target warmed up first (at CONNECTIONS, both modes) in the first round. Prints one
# Markdown table (the median of the rounds; "added" is the target's figure minus direct's in the same mode), with the
# load average before and after (other work on the machine shows there), and the logs' folder. A target that does not start or answers
# wrongly is reported in the table and the run goes on; the exit status is then 1. Everything it started is stopped.
#
# TARGETS      which to measure, in this order (default "direct junction portkey"); without BASE nothing is "added"
# BASE         the target "added" is measured from (default direct; junction for what the business edition adds)
# DURATION     seconds of each measured wrk run (default 10); WARMUP: of each warm-up, per mode (default 10)
# ROUNDS       rounds over all targets, alternated (default 3); CONNECTIONS: the load's concurrency (default 32)
# PIN          split (default, with 2 or more CPUs): the router under test on CPU 1, the instant upstream, PostgreSQL
#              and wrk on CPU 0 (taskset), so that each router gets one core of its own and the load the other;
#              none: no pinning
# PORTKEY_VERSION  the gateway's npm version (default 1.15.2)
# Needs wrk (Debian: apt-get install wrk), curl, a JDK 25 (JAVA_HOME or the PATH) and Maven; node and npm for portkey.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

read -r -a targets <<<"${TARGETS:-direct junction portkey}"
base_target="${BASE:-direct}"
duration="${DURATION:-10}" warmup="${WARMUP:-10}" rounds="${ROUNDS:-3}" connections="${CONNECTIONS:-32}"
portkey_version="${PORTKEY_VERSION:-1.15.2}"
pin="${PIN:-split}"
if [ "$pin" = split ] && [ "$(nproc)" -lt 2 ]; then pin=none; fi

fail() { echo "router-overhead: $*" >&2; exit 1; }
has_target() { local t; for t in "${targets[@]}"; do [ "$t" = "$1" ] && return 0; done; return 1; }
for t in "${targets[@]}"; do
  case "$t" in
    direct | junction | auth_sqlite | auth_postgres | portkey) ;;
    *) fail "unknown target '$t' (direct, junction, auth_sqlite, auth_postgres, portkey)" ;;
  esac
done
tools=(wrk curl)
[ "$pin" = split ] && tools+=(taskset)
has_target portkey && tools+=(node npm)
for tool in "${tools[@]}"; do command -v "$tool" >/dev/null || fail "needs $tool"; done
case "$pin" in
  split) load_cpu=(taskset -c 0) router_cpu=(taskset -c 1) ;;
  none) load_cpu=() router_cpu=() ;;
  *) fail "PIN is split or none, not '$pin'" ;;
esac
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
java_major="$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p')"
[ "${java_major:-0}" -ge 25 ] || fail "needs a JDK 25: set JAVA_HOME to one (found '$java', version ${java_major:-none})"

dir="$(mktemp -d "${TMPDIR:-/tmp}/router-overhead.XXXXXX")"
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- build and install

echo "router-overhead: building the bench module (mvn package)..." >&2
(cd "$root" && mvn -q -B -DskipTests package -pl bench -am) >&2
if has_target junction || has_target auth_sqlite || has_target auth_postgres; then
  "$root/junction" serve --help >/dev/null # builds the jar when it is out of date
fi
portkey_dir="$root/bench/target/portkey"
portkey_main="$portkey_dir/node_modules/@portkey-ai/gateway/build/start-server.js"
if has_target portkey \
   && ! grep -qs "\"version\": \"$portkey_version\"" "$portkey_dir/node_modules/@portkey-ai/gateway/package.json"; then
  echo "router-overhead: installing @portkey-ai/gateway@$portkey_version into $portkey_dir..." >&2
  mkdir -p "$portkey_dir"
  # The gateway asks for @hono/node-server ^1.3.3, which npm resolves to the newest; past 1.14.2 every streamed
  # answer is a 500 "TypeError: immutable" (Portkey-AI/gateway issue 1389). 1.13.5 is what the gateway's own lock
  # file holds.
  cat >"$portkey_dir/package.json" <<EOF
{
  "private": true,
  "dependencies": { "@portkey-ai/gateway": "$portkey_version" },
  "overrides": { "@hono/node-server": "1.13.5" }
}
EOF
  (cd "$portkey_dir" && npm install --no-audit --no-fund --loglevel=error) >&2
fi

# --- start

free_port() { # the first port from $1 on that nothing on loopback answers
  local p
  for ((p = $1; p < $1 + 200; p++)); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
  done
  fail "no free port from $1"
}

up_port="$(free_port 18000)"
upstream="http://127.0.0.1:$up_port/v1"
"${load_cpu[@]}" "$java" -Xms256m -Xmx256m -cp "$root/bench/target/benchmarks.jar" \
  dev.junction.bench.upstream.InstantUpstream --port "$up_port" >"$dir/upstream.log" 2>&1 &
pids+=($!)
upstream_pid=$!

router_config() { # FILE PORT: a router configuration serving model "m" from the instant upstream on PORT
  cat >"$1" <<EOF
server: {host: 127.0.0.1, port: $2}
suppliers:
  instant: {kind: openai, url: $upstream}
models:
  m: {strategy: priority, deployments: [{supplier: instant, model: m}]}
EOF
}

declare -A url pid_of status
declare -a headers_direct=() headers_junction=() headers_portkey=() headers_auth_sqlite=() headers_auth_postgres=()
url[direct]="$upstream/chat/completions"
pid_of[direct]=$upstream_pid
if has_target junction; then
  port="$(free_port $((up_port + 1)))"
  router_config "$dir/junction.yaml" "$port"
  "${router_cpu[@]}" "$root/junction" serve --config "$dir/junction.yaml" >"$dir/junction.log" 2>&1 &
  pids+=($!)
  pid_of[junction]=$!
  url[junction]="http://127.0.0.1:$port/v1/chat/completions"
fi
admin_key="jk-router-overhead-instance-key-$RANDOM$RANDOM"
start_gateway() { # TARGET PORT DB-URL: junction serve --auth on that database, in a data folder of its own
  local target="$1" port="$2" db="$3"
  mkdir -p "$dir/home-$target"
  router_config "$dir/$target.yaml" "$port"
  JUNCTION_HOME="$dir/home-$target" JUNCTION_ADMIN_KEY="$admin_key" "${router_cpu[@]}" "$root/junction" serve --auth \
    --db "$db" --config "$dir/$target.yaml" >"$dir/$target.log" 2>&1 &
  pids+=($!)
  pid_of[$target]=$!
  url[$target]="http://127.0.0.1:$port/v1/chat/completions"
}
if has_target auth_sqlite; then start_gateway auth_sqlite "$(free_port $((up_port + 3)))" "sqlite:$dir/junction.db"; fi
if has_target auth_postgres; then
  pg_port="$(free_port $((up_port + 5)))"
  "${load_cpu[@]}" "$java" -cp "$root/bench/target/benchmarks.jar" dev.junction.bench.db.PostgresServer \
    --port "$pg_port" --dir "$dir/postgres" >"$dir/postgres.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 300); do grep -q "postgres listening" "$dir/postgres.log" && break; sleep 0.2; done
  grep -q "postgres listening" "$dir/postgres.log" || fail "PostgreSQL did not start (log: $dir/postgres.log)"
  start_gateway auth_postgres "$(free_port $((up_port + 4)))" "postgresql://postgres@127.0.0.1:$pg_port/postgres"
fi

gateway_key() { # TARGET: once it answers, an organization and a key with every limit set high; sets its headers
  local target="$1" base org key
  local limits='"rpm":1000000000,"tpm":1000000000000,"max_concurrent":100000,"monthly_tokens":1000000000000000,"monthly_spend":1000000'
  base="${url[$target]%/v1/chat/completions}"
  for _ in $(seq 300); do
    kill -0 "${pid_of[$target]}" 2>/dev/null || return 1
    curl -s -o /dev/null "$base/health" && break
    sleep 0.2
  done
  org="$(curl -s -H "Authorization: Bearer $admin_key" -d "{\"name\":\"bench\",$limits}" "$base/admin/v1/organizations" \
    | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')"
  key="$(curl -s -H "Authorization: Bearer $admin_key" -d "{\"name\":\"bench\",$limits}" \
    "$base/admin/v1/organizations/$org/keys" | sed -n 's/.*"key":"\([^"]*\)".*/\1/p')"
  [ -n "$key" ] || return 1
  local -n list="headers_$target"
  list=(-H "Authorization: Bearer $key")
}

if has_target portkey; then
  port="$(free_port $((up_port + 2)))"
  "${router_cpu[@]}" node "$portkey_main" --port="$port" --headless >"$dir/portkey.log" 2>&1 &
  pids+=($!)
  pid_of[portkey]=$!
  url[portkey]="http://127.0.0.1:$port/v1/chat/completions"
  headers_portkey=(-H "x-portkey-provider: openai" -H "x-portkey-custom-host: $upstream")
fi

headers() { # TARGET: sets `h` to the target's extra request headers (curl's and wrk's -H pairs)
  local -n list="headers_$1"
  h=("${list[@]}")
}

chat() { # TARGET MODE CURL-ARGS...: one request like wrk's, with curl
  local target="$1" mode="$2" body='{"model":"m","messages":[{"role":"user","content":"Say hello."}],"max_tokens":16'
  shift 2
  if [ "$mode" = stream ]; then body+=',"stream":true,"stream_options":{"include_usage":true}}'; else body+='}'; fi
  headers "$target"
  curl -s --max-time 10 "${h[@]}" -H 'Content-Type: application/json' "$@" -d "$body" "${url[$target]}"
}

wait_ready() { # TARGET: until a plain request gets a 200, for at most 60 s; false if the process exits first
  local target="$1" _
  for _ in $(seq 300); do
    kill -0 "${pid_of[$target]}" 2>/dev/null || return 1
    [ "$(chat "$target" plain -o /dev/null -w '%{http_code}' || true)" = 200 ] && return 0
    sleep 0.2
  done
  return 1
}

check_answers() { # TARGET: empty when both modes answer the instant upstream's text; else what is wrong
  local target="$1" mode answer
  for mode in plain stream; do
    answer="$(chat "$target" "$mode" -D - || true)"
    if ! grep -q '^HTTP/1.1 200' <<<"$answer"; then echo "$mode: $(head -1 <<<"$answer" | tr -d '\r')"; return; fi
    if [ "$target" != direct ] && [ "$target" != portkey ] \
       && ! grep -qi '^x-junction-supplier: instant' <<<"$answer"; then
      echo "$mode: no x-junction-supplier: instant header"; return
    fi
    if [ "$mode" = plain ]; then
      grep -q 'Hello from the instant upstream\.' <<<"$answer" || { echo "plain: not the upstream's answer"; return; }
    else
      grep -q ' instant upstream\.' <<<"$answer" && grep -q '"usage": *{' <<<"$answer" \
        && grep -q '^data: \[DONE\]' <<<"$answer" || { echo "stream: not the upstream's stream"; return; }
    fi
  done
}

for target in direct "${targets[@]}"; do
  [ -n "${status[$target]:-}" ] && continue
  case "$target" in auth_*) gateway_key "$target" || true ;; esac
  if ! wait_ready "$target"; then
    status[$target]="did not start or answer 200 (log: $dir/$target.log)"
  else
    problem="$(check_answers "$target")"
    status[$target]="${problem:+wrong answers ($problem)}"
    status[$target]="${status[$target]:-ok}"
  fi
  echo "router-overhead: $target: ${status[$target]}" >&2
done
[ "${status[direct]}" = ok ] || fail "the instant upstream is not answering (log: $dir/upstream.log)"

# --- measure

wrk_run() { # TARGET MODE THREADS CONNECTIONS SECONDS: wrk's result line (see router-overhead.lua)
  headers "$1"
  "${load_cpu[@]}" wrk -t"$3" -c"$4" -d"$5"s "${h[@]}" -s "$root/bench/router-overhead.lua" "${url[$1]}" -- "$2" \
    | sed -n 's/^result //p'
}
field() { awk -v name="$1" '{ for (i = 1; i < NF; i++) if ($i == name) print $(i + 1) }'; }

results="$dir/results"
: >"$results"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
for ((round = 1; round <= rounds; round++)); do
  for target in "${targets[@]}"; do
    [ "${status[$target]}" = ok ] || continue
    if [ "$round" = 1 ]; then
      for mode in plain stream; do wrk_run "$target" "$mode" 2 "$connections" "$warmup" >/dev/null; done
    fi
    for mode in plain stream; do
      one="$(wrk_run "$target" "$mode" 1 1 "$duration")"
      many="$(wrk_run "$target" "$mode" 2 "$connections" "$duration")"
      [ -n "$one" ] && [ -n "$many" ] || fail "wrk gave no result for $target $mode"
      rps="$(awk -v r="$(field requests <<<"$many")" -v s="$(field seconds <<<"$many")" 'BEGIN { printf "%.0f", r / s }')"
      echo "$target $mode $(field p50_us <<<"$one") $(field p99_us <<<"$one") $rps" \
        "$(($(field errors <<<"$one") + $(field errors <<<"$many")))" >>"$results"
      echo "router-overhead: round $round, $target $mode: c1 $(field p50_us <<<"$one") / $(field p99_us <<<"$one") us, c$connections $rps req/s" >&2
    done
  done
done

# --- report

median() { # TARGET MODE COLUMN: the median of that column over the rounds (the lower one of an even count)
  awk -v t="$1" -v m="$2" -v c="$3" '$1 == t && $2 == m { print $c }' "$results" | sort -n \
    | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'
}
ms() { awk -v us="$1" 'BEGIN { printf "%.3f ms", us / 1000 }'; }
added() { # TARGET MODE COLUMN
  local base here
  base="$(median "$base_target" "$2" "$3")" here="$(median "$1" "$2" "$3")"
  if [ "$1" = "$base_target" ] || [ -z "$base" ]; then echo "—"; else awk -v d="$((here - base))" 'BEGIN { printf "%+.3f ms", d / 1000 }'; fi
}

cpu="$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
echo
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) × $cpu; pinning: $pin$([ "$pin" = split ] && echo " (router on CPU 1, upstream and wrk on CPU 0)");" \
  "$("$java" -version 2>&1 | head -1)$(has_target portkey && echo "; node $(node --version), @portkey-ai/gateway $portkey_version");" \
  "wrk ${duration} s per figure after ${warmup} s of warm-up per mode; median of $rounds round(s); added: over $base_target;" \
  "load average before $load_before, after $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| target | mode | p50 at c1 | p99 at c1 | added p50 | added p99 | req/s at c$connections | errors |"
echo "|---|---|---:|---:|---:|---:|---:|---:|"
failed=0
for target in "${targets[@]}"; do
  for mode in plain stream; do
    if [ "${status[$target]}" != ok ]; then
      echo "| $target | $mode | ${status[$target]} | | | | | |"
      failed=1
      continue
    fi
    p50="$(median "$target" "$mode" 3)" p99="$(median "$target" "$mode" 4)"
    errors="$(awk -v t="$target" -v m="$mode" '$1 == t && $2 == m { e += $6 } END { print e + 0 }' "$results")"
    [ "$errors" = 0 ] || failed=1
    echo "| $target | $mode | $(ms "$p50") | $(ms "$p99") | $(added "$target" "$mode" 3) | $(added "$target" "$mode" 4) |" \
      "$(median "$target" "$mode" 5) | $errors |"
  done
done
echo
echo "router-overhead: logs and raw results in $dir" >&2
exit "$failed"
