#!/usr/bin/env bash
# Clients that disconnect under load, checked by hand against a real `junction serve`.
#
#   bench/disconnect-load.sh [-d SECONDS] [-c CONNECTIONS] [-q MAX_QUEUE]
#
# Starts `./junction serve` with the embedded model on a free loopback port and, for -d seconds (default 180), runs
# back-to-back `wrk -t2 -c32 -d4s` bursts of short chat completions (max_tokens 8; each burst ends with its
# connections closed mid-request) while three curl loops open streams and cut them after 0.1-0.9 s. Then checks,
# one line each, and exits 1 if any fails: no answer >= 500 to wrk (counted by disconnect-load.lua) or to curl, nor
# in the server's own /metrics; nothing running or waiting afterwards (/metrics); the idle server's CPU over 10 s
# (utime+stime from /proc/PID/stat) under 10 % of a core, i.e. the engine is not spinning; the server stops on
# SIGTERM; and no ERROR, WARN, SEVERE or Exception line in its log. The log stays in a temporary folder, printed.
# -q is serve's --max-queue (default: serve's, 64); a small one makes 429s, which are fine. Needs wrk (Debian:
# apt-get install wrk) and curl.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

duration=180 connections=32 queue=64
usage() { sed -n '4p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while getopts "d:c:q:h" opt; do
  case "$opt" in
    d) duration="$OPTARG" ;; c) connections="$OPTARG" ;; q) queue="$OPTARG" ;; *) usage ;;
  esac
done
for tool in wrk curl; do
  command -v "$tool" >/dev/null || { echo "disconnect-load: needs $tool" >&2; exit 1; }
done

dir="$(mktemp -d "${TMPDIR:-/tmp}/disconnect-load.XXXXXX")"
log="$dir/serve.log"
"$root/junction" serve --help >/dev/null # builds the jar first if needed, so that start-up below is quick
"$root/junction" serve --host 127.0.0.1 --port 0 --max-queue "$queue" --grace 2 >"$log" 2>&1 &
server=$!
loads=()
trap 'kill "${loads[@]}" "$server" 2>/dev/null || true' EXIT

port=""
for _ in $(seq 300); do
  port="$(sed -n 's|^serving .* on http://127\.0\.0\.1:\([0-9]*\) .*|\1|p' "$log")"
  [ -n "$port" ] && break
  kill -0 "$server" 2>/dev/null || { echo "disconnect-load: the server exited:" >&2; cat "$log" >&2; exit 1; }
  sleep 0.2
done
[ -n "$port" ] || { echo "disconnect-load: the server did not start within 60 s (log: $log)" >&2; exit 1; }
base="http://127.0.0.1:$port"
echo "disconnect-load: server $server on $base, ${duration} s of load; log in $dir" >&2

end=$(($(date +%s) + duration))
streams() { # one stream after another, each cut after 0.1-0.9 s; the HTTP status of each (000: none yet)
  while [ "$(date +%s)" -lt "$end" ]; do
    curl -s -o /dev/null -w '%{http_code}\n' -N --max-time "0.$((RANDOM % 9 + 1))" \
      -H 'Content-Type: application/json' "$base/v1/chat/completions" \
      -d '{"model":"stories260K","messages":[{"role":"user","content":"Once upon a time"}],"max_tokens":200,"stream":true}' \
      || true
  done >>"$dir/streams"
}
for _ in 1 2 3; do streams & loads+=($!); done
while [ "$(date +%s)" -lt "$end" ]; do
  wrk -t2 -c"$connections" -d4s -s "$root/bench/disconnect-load.lua" "$base/v1/chat/completions" \
    | sed -n 's/^statuses: //p' >>"$dir/wrk"
done
wait "${loads[@]}"
loads=()

failed=0
check() { # NAME DETAIL TEST...: prints the outcome; a failing TEST fails the run
  local name="$1" detail="$2"
  shift 2
  if "$@"; then printf 'ok    %-18s %s\n' "$name" "$detail"; else printf 'FAIL  %-18s %s\n' "$name" "$detail"; failed=1; fi
}
metric() { # NAME: the sum of a metric's samples (whatever their labels) in $metrics; "?" without metrics
  [ -n "$metrics" ] || { echo "?"; return; }
  awk -v name="$1" '$1 == name || index($1, name "{") == 1 { sum += $2 } END { printf "%.0f\n", sum }' <<<"$metrics"
}

read -r ok limited errors other < <(awk -F'[ ,]+' '{ ok += $2; l += $4; e += $6; o += $8 }
  END { print ok + 0, l + 0, e + 0, o + 0 }' "$dir/wrk")
check "wrk answers" "$(wc -l <"$dir/wrk") bursts: 2xx $ok, 429 $limited, 5xx $errors, other $other" \
  [ $((errors + other)) -eq 0 ]
stream_errors=$(grep -c '^5' "$dir/streams" || true)
check "curl streams" "$(sort "$dir/streams" | uniq -c | awk '{ printf "%s%s x%s", sep, $2, $1; sep = ", " }')" \
  [ "$stream_errors" -eq 0 ]

deadline=$(($(date +%s) + 30))
while true; do # until nothing runs or waits, for at most 30 s
  metrics="$(curl -s --max-time 5 "$base/metrics" || true)"
  running=$(metric junction_sequences_running) waiting=$(metric junction_queue_depth)
  if [ "$running$waiting" = 00 ] || [ "$(date +%s)" -ge "$deadline" ]; then break; fi
  sleep 0.5
done
check "idle afterwards" "running $running, waiting $waiting, KV blocks used $(metric junction_kv_blocks_used) free $(metric junction_kv_blocks_free), cancellations $(metric junction_cancellations_total), client disconnects $(metric junction_client_disconnects_total)" \
  [ "$running$waiting" = 00 ]
server_errors=$(awk '$1 ~ /^junction_http_requests_seconds_count\{.*status="5/ { sum += $2 } END { printf "%.0f\n", sum }' <<<"$metrics")
check "server-side 5xx" "$server_errors answers >= 500 in /metrics (to clients that had left, too)" \
  [ "$server_errors" = 0 ]

cpu_ticks() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$server/stat"; } # utime + stime, after the name
if kill -0 "$server" 2>/dev/null; then
  before=$(cpu_ticks)
  sleep 10
  after=$(cpu_ticks)
  cpu=$(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", t / hz / 10 * 100 }')
  check "idle CPU" "$cpu % of a core over 10 s" awk -v c="$cpu" 'BEGIN { exit !(c < 10) }'
else
  check "idle CPU" "the server has exited" false
fi

kill -TERM "$server" 2>/dev/null || true
stopped=false
for _ in $(seq 100); do kill -0 "$server" 2>/dev/null || { stopped=true; break; }; sleep 0.2; done
check "stops on SIGTERM" "$($stopped && echo "within 20 s" || echo "still running after 20 s; killed")" $stopped
$stopped || kill -KILL "$server" 2>/dev/null || true
wait "$server" 2>/dev/null || true

# the JVM's own notice about the incubating Vector API is expected
alarms="$(grep -E 'ERROR|WARN|SEVERE|Exception' "$log" | grep -v 'Using incubator modules' || true)"
check "log" "$(grep -c . <<<"$alarms" || true) ERROR/WARN/SEVERE/Exception lines in $(wc -c <"$log") bytes" \
  [ -z "$alarms" ]
if [ -n "$alarms" ]; then # the most frequent, without their time stamps
  sed -E 's/^[0-9:.]+ +//' <<<"$alarms" | sort | uniq -c | sort -rn | head -5 | cut -c1-160 | sed 's/^/        /'
fi
exit "$failed"
