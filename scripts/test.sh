#!/usr/bin/env bash
# The README's test command (`npm test`): type-check, then the whole vitest suite, promtool included.
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
npx tsc --noEmit -p .
mkdir -p .tmp
status=0
# Build the CLI bundle once before the tests spawn CLIs in parallel: a stale bundle rebuilt by two
# workers at once would delete chunks another run is loading.
node scripts/build.mjs >/dev/null
npx vitest run --reporter=default --reporter=json --outputFile.json=.tmp/vitest.json "$@" || status=$?
# A plain closing line any CI reads: "N passed, N failed".
# Before it, the slowest ten tests (the suite's budget is 90 s wall warm on 2 cores; npm run bench
# lists them too).
node -e '
  const r = JSON.parse(require("fs").readFileSync(".tmp/vitest.json", "utf8"));
  const tests = r.testResults.flatMap((f) => f.assertionResults.map((a) => ({ ms: a.duration ?? 0, name: `${f.name.replace(process.cwd() + "/", "")} > ${a.fullName}` })));
  console.log("slowest ten tests:");
  for (const t of tests.sort((a, b) => b.ms - a.ms).slice(0, 10)) console.log(`  ${(t.ms / 1000).toFixed(2).padStart(6)} s  ${t.name}`);
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed` + (r.numPendingTests ? `, ${r.numPendingTests} skipped` : ""));
' || true
exit $status
