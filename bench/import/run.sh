#!/usr/bin/env bash
# Import benchmark. Imports every user folder in ../shared/data/enron/maildir and, in the same run, has Python's
# standard email parser read the same files' headers. Reports wall and CPU times, the ratio and peak memory.
#   bench/import/run.sh [MAILDIR]
# 1. ImportBench (one process): header reading alone, then the full import (dedup, owners, threads, SQLite writes).
# 2. `mailrapport import USER --db ...` once per user, as a user would run it (process start-up included).
# 3. python_headers.py with email.policy.default (decodes like the importer) and with the legacy compat32 policy.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
MAILDIR=${1:-$ROOT/../shared/data/enron/maildir}
[ -d "$MAILDIR" ] || { echo "Enron maildir not found at $MAILDIR" >&2; exit 2; }
OUT=$ROOT/artifacts/bench-import
rm -rf "$OUT"; mkdir -p "$OUT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# Published ReadyToRun, as the tool ships: without it most of our CPU here is JIT warm-up, not parsing.
dotnet publish bench/import/ImportBench -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
  -o "$OUT/bench" --nologo -v q >/dev/null
USERS=$(ls "$MAILDIR" | tr "\n" " ")
USER_DIRS=$(for u in $USERS; do printf '%s ' "$MAILDIR/$u"; done)
echo "corpus: $MAILDIR ($(echo $USERS | wc -w) users, $(find "$MAILDIR" -type f ! -name '.*' | wc -l) files); load: $(cut -d' ' -f1-3 /proc/loadavg)"

field() { grep "$2" "$1" | awk -F': ' '{print $2}'; }
secs() { python3 -c "import sys;p=sys.argv[1].split(':');print(f'{sum(float(x)*60**i for i,x in enumerate(reversed(p))):.2f}')" "$1"; }
cpu() { python3 -c "import sys;print(f'{float(sys.argv[1])+float(sys.argv[2]):.2f}')" "$(field "$1" 'User time')" "$(field "$1" 'System time')"; }
summary() { echo "wall $(secs "$(field "$1" 'Elapsed (wall')") s, cpu $(cpu "$1") s, peak RSS $(field "$1" 'Maximum resident') KB"; }

/usr/bin/time -v "$OUT/bench/ImportBench" "$MAILDIR" "$OUT/bench.db" > "$OUT/ours.txt" 2> "$OUT/ours.time"
cat > "$OUT/cli.sh" <<SH
for u in $USERS; do "$OUT/bench/mailrapport" import "$MAILDIR/\$u" --mailbox "\$u" --db "$OUT/cli.db" > "$OUT/import-\$u.txt"; done
SH
/usr/bin/time -v bash "$OUT/cli.sh" 2> "$OUT/cli.time"
/usr/bin/time -v python3 bench/import/python_headers.py --policy default $USER_DIRS > "$OUT/py-default.txt" 2> "$OUT/py-default.time"
/usr/bin/time -v python3 bench/import/python_headers.py --policy compat32 $USER_DIRS > "$OUT/py-compat32.txt" 2> "$OUT/py-compat32.time"

cat "$OUT/ours.txt"
echo "ImportBench process: $(summary "$OUT/ours.time")"
echo "mailrapport import, one process per user: $(summary "$OUT/cli.time")"
echo "$(cat "$OUT/py-default.txt"); process: $(summary "$OUT/py-default.time")"
echo "$(cat "$OUT/py-compat32.txt"); process: $(summary "$OUT/py-compat32.time")"
python3 - "$OUT" <<'PY'
import re, sys
out = sys.argv[1]
ours = open(f"{out}/ours.txt").read()
read_s = float(re.search(r"read headers:.*?([\d.]+) s wall", ours).group(1))
read_cpu = float(re.search(r"read headers:.*?([\d.]+) s cpu", ours).group(1))
full_s = float(re.search(r"full import:.*?([\d.]+) s wall", ours).group(1))
full_cpu = float(re.search(r"full import:.*?([\d.]+) s cpu", ours).group(1))
def process_cpu(path):
    t = open(path).read()
    return sum(float(re.search(rf"{k} \(seconds\): ([\d.]+)", t).group(1)) for k in ("User time", "System time"))
for policy in ("default", "compat32"):
    py = float(re.search(r"([\d.]+) s$", open(f"{out}/py-{policy}.txt").read().strip()).group(1))
    py_cpu = process_cpu(f"{out}/py-{policy}.time")
    print(f"ratio vs python {policy}: header reading {py/read_s:.1f}x wall, {py_cpu/read_cpu:.1f}x cpu; "
          f"full import {py/full_s:.1f}x wall, {py_cpu/full_cpu:.1f}x cpu")
PY
