#!/usr/bin/env bash
# Runs every test suite on this machine, installing and starting what the tests need when it is missing.
# Ends with one line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
RESULTS="$ROOT/artifacts/test-results"
rm -rf "$RESULTS"; mkdir -p "$RESULTS"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

if PG=$(bash tests/scripts/postgres.sh); then
  export MAILRAPPORT_TEST_POSTGRES="$PG"
else
  echo "warning: PostgreSQL could not be started; PostgreSQL tests will fail" >&2
fi

# The add-in tests: Debian's Chromium for the browser tests, xmllint for the XML manifest,
# office-addin-manifest (npm, in manifest/) for the unified manifest.
need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
command -v xmllint >/dev/null || need_apt+=(libxml2-utils)
command -v npm >/dev/null || need_apt+=(npm)
if [ ${#need_apt[@]} -gt 0 ]; then
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"; } >/dev/null 2>&1 \
    || echo "warning: could not install ${need_apt[*]}; the tests that need them skip" >&2
fi
if [ ! -x manifest/node_modules/.bin/office-addin-manifest ] && command -v npm >/dev/null; then
  (cd manifest && npm ci --no-audit --no-fund --loglevel=error) >/dev/null 2>&1 \
    || echo "warning: npm ci in manifest/ failed; the unified manifest check skips" >&2
fi

build_failed=0
dotnet build MailRapport.sln -c Release -warnaserror 2>&1 | tail -n 5 || build_failed=1
[ "${PIPESTATUS[0]}" -eq 0 ] || build_failed=1

for project in tests/*/*.Tests.csproj; do
  name=$(basename "$project" .csproj)
  dotnet test "$project" -c Release --no-build --logger "trx;LogFileName=$name.trx" --results-directory "$RESULTS" 2>&1 | tail -n 30
done

python3 - "$RESULTS" "$build_failed" <<'PY' || true
import sys, glob, xml.etree.ElementTree as ET
passed = failed = skipped = 0
for f in glob.glob(sys.argv[1] + "/*.trx"):
    c = ET.parse(f).getroot().find(".//{*}ResultSummary/{*}Counters")
    if c is None: continue
    passed += int(c.get("passed", 0)); failed += int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0))
    skipped += int(c.get("total", 0)) - int(c.get("executed", 0))  # trx leaves notExecuted at 0 for xunit skips
failed += int(sys.argv[2])
open(sys.argv[1] + "/summary.txt", "w").write(f"{passed} {failed} {skipped}\n")
PY
read -r P F S < "$RESULTS/summary.txt" 2>/dev/null || { P=0; F=1; S=0; }
echo "$P passed, $F failed, $S skipped"
[ "$F" -eq 0 ] && [ "$P" -gt 0 ]
