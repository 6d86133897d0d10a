#!/usr/bin/env bash
# The README's test command (`npm test`): the type-check and the whole vitest suite, promtool included.
# promtool and prometheus (Debian package `prometheus`) are required, never skipped: installed here
# when we are root (the live test runs the real server).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v promtool >/dev/null 2>&1 || ! command -v prometheus >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "promtool/prometheus missing: installing Debian's prometheus package" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus >/dev/null) || {
      echo "error: could not install promtool. Run as root: apt-get update && apt-get install -y prometheus" >&2; exit 1; }
  else
    echo "error: promtool or prometheus is missing. Run as root: apt-get update && apt-get install -y prometheus" >&2
    exit 1
  fi
fi
mkdir -p .tmp
status=0
# The type-check runs beside the tests: tsc is single-threaded, and the tests leave a core idle
# while they wait on their children. Incremental (.tmp/tsc.tsbuildinfo): a warm run re-checks only
# what changed. Its output is printed once the tests are done; an error fails the run.
npx tsc --noEmit -p . --incremental --tsBuildInfoFile .tmp/tsc.tsbuildinfo >.tmp/tsc.out 2>&1 &
tsc_pid=$!
# Stopped with the run (Ctrl-C included: a background job of a script ignores SIGINT).
trap '[ -n "$tsc_pid" ] && kill "$tsc_pid" 2>/dev/null || true' EXIT
rm -f .tmp/vitest.json
# Build the CLI bundle once before the tests spawn CLIs in parallel: a stale bundle rebuilt by two
# workers at once would delete chunks another run is loading.
node scripts/build.mjs >/dev/null || { kill "$tsc_pid" 2>/dev/null; exit 1; }
npx vitest run --reporter=default --reporter=./test/helpers/slowest-reporter.ts --reporter=json --outputFile.json=.tmp/vitest.json "$@" || status=$?
tsc_status=0
wait "$tsc_pid" || tsc_status=$?
tsc_pid=
if [ "$tsc_status" != 0 ]; then
  cat .tmp/tsc.out
  echo "error: the type-check failed (npx tsc --noEmit -p .)"
  status=1
fi
# A plain closing line any CI reads: "N passed, N failed". Before it, vitest printed the slowest
# ten tests and files (test/helpers/slowest-reporter.ts).
node -e '
  const r = JSON.parse(require("fs").readFileSync(".tmp/vitest.json", "utf8"));
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed` + (r.numPendingTests ? `, ${r.numPendingTests} skipped` : ""));
' || true
exit $status
