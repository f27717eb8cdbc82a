#!/usr/bin/env bash
# API benchmark: GET /api/contacts/{address} with 100,000 contacts stored, next to Kestrel serving a static file of the
# same size from the same process, in the same run. Local mode, loopback only. Prints a Markdown table.
# Usage: bench/api/run.sh [contacts=100000] [seconds=20]
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
CONTACTS="${1:-100000}"
SECONDS_PER_RUN="${2:-20}"
PORT=5099
WORK=$(mktemp -d /tmp/mailrapport-bench-XXXX)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

if ! command -v wrk >/dev/null; then
  echo "installing wrk" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk) >&2
fi

dotnet build src/MailRapport.Server -c Release -v q -nologo >&2
dotnet build bench/api/Seed -c Release -v q -nologo >&2
dotnet bench/api/Seed/bin/Release/net10.0/ApiBenchSeed.dll "$WORK/data/mailrapport.db" "$CONTACTS" >&2

mkdir -p "$WORK/wwwroot"
cd "$WORK"
dotnet "$ROOT/src/MailRapport.Server/bin/Release/net10.0/mailrapport.dll" serve \
  --Service:LocalUrl=http://127.0.0.1:$PORT --Service:RequestsPerMinute=0 \
  --Logging:LogLevel:Default=Warning > "$WORK/service.log" 2>&1 &
SERVICE=$!
trap 'kill $SERVICE 2>/dev/null || true; wait $SERVICE 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$PORT/health/live" >/dev/null && break; sleep 0.5; done

ADDRESS="person050000@company150.example"
API="http://127.0.0.1:$PORT/api/contacts/$ADDRESS"
curl -sf "$API" > "$WORK/wwwroot/contact.json"
STATIC="http://127.0.0.1:$PORT/contact.json"
SIZE=$(stat -c %s "$WORK/wwwroot/contact.json")
[ "$(curl -sf "$STATIC" | wc -c)" -eq "$SIZE" ] || { echo "static file not served" >&2; exit 1; }

cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVICE/stat"; } # the service's user + system CPU, in clock ticks
TICK=$(getconf CLK_TCK)

run() { # name url connections pace_ms
  local before; before=$(cpu_ticks)
  PACE_MS="$4" wrk -t1 -c"$3" -d"${SECONDS_PER_RUN}s" --latency -s "$ROOT/bench/api/pace.lua" "$2" > "$WORK/$1.txt"
  local rps p50 p99
  rps=$(awk '/Requests\/sec/ {print $2}' "$WORK/$1.txt")
  p50=$(awk '$1=="50%" {print $2}' "$WORK/$1.txt")
  p99=$(awk '$1=="99%" {print $2}' "$WORK/$1.txt")
  local requests; requests=$(awk '/requests in/ {print $1}' "$WORK/$1.txt")
  # CPU per request: what the service spent, not the wall clock, so it holds up when other work shares the machine.
  local cpu_us; cpu_us=$(( ($(cpu_ticks) - before) * 1000000 / TICK / requests ))
  echo "$1 $rps $p50 $p99 $cpu_us"
}

# Warm up both paths (JIT, SQLite page cache).
wrk -t1 -c4 -d5s "$API" >/dev/null; wrk -t1 -c4 -d5s "$STATIC" >/dev/null

echo "| run | connections | pacing | requests/s | p50 | p99 | service CPU/request |"
echo "|---|---|---|---|---|---|---|"
for spec in "api-paced $API 12 10" "static-paced $STATIC 12 10" "api-max $API 8 0" "static-max $STATIC 8 0"; do
  set -- $spec
  read -r name rps p50 p99 cpu < <(run "$1" "$2" "$3" "$4")
  echo "| $name | $3 | ${4} ms/conn | $rps | $p50 | $p99 | ${cpu} µs |"
  eval "${name//-/_}_rps=$rps"
done
echo
echo "response size: $SIZE bytes; contacts stored: $CONTACTS"
echo "load average during the run: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$api_max_rps" "$static_max_rps" <<'PY'
import sys
api, static = float(sys.argv[1]), float(sys.argv[2])
print(f"throughput ratio API/static (max): {api/static:.2f}")
PY
