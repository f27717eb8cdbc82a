#!/usr/bin/env bash
# Calendar import benchmark (issue 9.4): peak RSS and wall/CPU time of `mailrapport import FILE.ics` on generated
# calendars of each size, against two baselines in the same run: reading the file (`cat > /dev/null`) and, on the
# smallest size, the importer of BASELINE_REF (default e2a2c8e, before streaming; it refused files over 64 MB).
#   bench/import/calendar.sh [SHAPE] [SIZE_MB...]      defaults: small 15 300
#   BASELINE_REF=none bench/import/calendar.sh ...      skip the old-importer baseline
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
SHAPE=${1:-small}; shift || true
SIZES=${*:-15 300}
OUT=$ROOT/artifacts/bench-calendar
mkdir -p "$OUT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

dotnet publish src/MailRapport.Server -c Release -r linux-x64 --self-contained false -o "$OUT/app" --nologo -v q >/dev/null
BASELINE_REF=${BASELINE_REF:-e2a2c8e}
if [ "$BASELINE_REF" != none ] && [ ! -x "$OUT/baseline-app/mailrapport" ]; then
  rm -rf "$OUT/baseline-src"; mkdir -p "$OUT/baseline-src"
  git archive "$BASELINE_REF" | tar -x -C "$OUT/baseline-src"
  dotnet publish "$OUT/baseline-src/src/MailRapport.Server" -c Release -r linux-x64 --self-contained false -o "$OUT/baseline-app" --nologo -v q >/dev/null
fi

field() { grep "$2" "$1" | awk -F': ' '{print $2}'; }
secs() { python3 -c "import sys;p=sys.argv[1].split(':');print(f'{sum(float(x)*60**i for i,x in enumerate(reversed(p))):.2f}')" "$1"; }
cpu() { python3 -c "import sys;print(f'{float(sys.argv[1])+float(sys.argv[2]):.2f}')" "$(field "$1" 'User time')" "$(field "$1" 'System time')"; }
summary() { echo "wall $(secs "$(field "$1" 'Elapsed (wall')") s, cpu $(cpu "$1") s, peak RSS $(( $(field "$1" 'Maximum resident') / 1024 )) MB"; }

echo "load: $(cut -d' ' -f1-3 /proc/loadavg); shape: $SHAPE"
first=1
for size in $SIZES; do
  ics="$OUT/cal-$SHAPE-$size.ics"
  [ -f "$ics" ] || python3 bench/import/make_ics.py --mb "$size" --shape "$SHAPE" --out "$ics"
  /usr/bin/time -v cat "$ics" > /dev/null 2> "$OUT/cat-$size.time"
  echo "$size MB: read the file (cat): $(summary "$OUT/cat-$size.time")"
  rm -f "$OUT/cal-$size.db"*
  /usr/bin/time -v "$OUT/app/mailrapport" import "$ics" --owner me@b.example --mailbox bench --db "$OUT/cal-$size.db" \
    > "$OUT/import-$size.txt" 2> "$OUT/import-$size.time"
  echo "$size MB: mailrapport import: $(summary "$OUT/import-$size.time"); $(grep -E 'meetings stored|calendar events skipped' "$OUT/import-$size.txt" | tr -s ' ' | tr '\n' ' ')"
  if [ $first = 1 ] && [ "$BASELINE_REF" != none ]; then
    rm -f "$OUT/base-$size.db"*
    /usr/bin/time -v "$OUT/baseline-app/mailrapport" import "$ics" --owner me@b.example --mailbox bench --db "$OUT/base-$size.db" \
      > "$OUT/baseline-$size.txt" 2> "$OUT/baseline-$size.time" || true
    echo "$size MB: baseline $BASELINE_REF import: $(summary "$OUT/baseline-$size.time"); $(grep -E 'meetings stored' "$OUT/baseline-$size.txt" | tr -s ' ' | tr '\n' ' ')"
  fi
  first=0
done
