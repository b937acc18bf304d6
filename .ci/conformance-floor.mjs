#!/usr/bin/env node
// The conformance floor: the ids of the corpus cases that pass and must keep passing.
//
//   node .ci/conformance-floor.mjs check FLOOR REPORT...   exit 1 if an id of FLOOR no longer passes
//   node .ci/conformance-floor.mjs add FLOOR REPORT...     add the ids that pass now to FLOOR
//
// Each REPORT is a `run.mjs --json` report (one per mode: in process, against the server). A case
// passes when it passes in every report that runs it and fails in none: the runner skips, in
// process, the integration cases that have no recorded task results (they can only run against
// the server), and that skip depends on the case, never on Stepwise. So one list serves both
// modes, and a case that passes only where it can run is still protected there.
//
// A count would let two new passes hide two regressions; a set names each one. `add` never
// removes an id: dropping one from the floor is a deliberate edit of the file.
import fs from 'node:fs';

const HEADER = `# Conformance floor: ids of ../shared/conformance cases that pass and must keep passing,
# in process and against the server (see .ci/conformance-floor.mjs). One id per line.
# New passes are listed by CI; add them with: node .ci/conformance-floor.mjs add <this file> <reports…>
`;

function readFloor(file) {
  if (!fs.existsSync(file)) return new Set();
  const ids = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  return new Set(ids);
}

function readReport(file) {
  let report;
  try {
    report = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`cannot read the conformance report ${file}: ${e.message}`);
  }
  if (!Array.isArray(report.results)) throw new Error(`${file} is not a run.mjs --json report (no results array)`);
  return { file, mode: report.mode ?? file, verdicts: new Map(report.results.map((r) => [r.id, r.verdict])) };
}

/** Ids that pass in at least one report and fail (or are absent) in none. */
function passing(reports) {
  const ids = new Set();
  for (const { verdicts } of reports) for (const [id, verdict] of verdicts) if (verdict === 'passed') ids.add(id);
  for (const id of [...ids]) {
    for (const { verdicts } of reports) {
      const verdict = verdicts.get(id);
      if (verdict !== 'passed' && verdict !== 'skipped') ids.delete(id);
    }
  }
  return ids;
}

/** Why a floor id does not pass any more, one phrase per report that says so. */
function regressions(floor, reports) {
  const out = [];
  for (const id of floor) {
    const why = [];
    let ran = false;
    for (const { mode, verdicts } of reports) {
      const verdict = verdicts.get(id);
      if (verdict === undefined) why.push(`not in the ${mode} run (removed from the corpus?)`);
      else if (verdict === 'failed') why.push(`fails in the ${mode} run`);
      else if (verdict === 'passed') ran = true;
    }
    if (!why.length && !ran) why.push('skipped in every run');
    if (why.length) out.push(`${id}: ${why.join('; ')}`);
  }
  return out.sort();
}

function main(argv) {
  const [command, floorFile, ...reportFiles] = argv;
  if ((command !== 'check' && command !== 'add') || !floorFile || !reportFiles.length) {
    console.error('usage: conformance-floor.mjs check|add FLOOR REPORT...');
    return 2;
  }
  const floor = readFloor(floorFile);
  const reports = reportFiles.map(readReport);
  const now = passing(reports);
  const added = [...now].filter((id) => !floor.has(id)).sort();

  if (command === 'add') {
    const all = [...new Set([...floor, ...added])].sort();
    fs.writeFileSync(floorFile, HEADER + all.map((id) => `${id}\n`).join(''));
    console.log(`conformance floor: ${added.length} ids added to ${floorFile} (${all.length} in all).`);
    return 0;
  }

  const lost = regressions(floor, reports);
  for (const line of lost) console.error(`REGRESSED ${line}`);
  for (const id of added) console.log(`NEW PASS ${id}`);
  if (added.length) {
    console.log(`conformance floor: ${added.length} new ids pass (NEW PASS lines above): add them to ${floorFile} to lock them in, by hand or with \`node .ci/conformance-floor.mjs add ${floorFile} <project report> <endpoint report>\`.`);
  }
  if (floor.size === 0) {
    console.error(`conformance floor: ${floorFile} lists no case ids.`);
    return 1;
  }
  if (lost.length) {
    console.error(`conformance floor: ${lost.length} of the ${floor.size} ids in ${floorFile} no longer pass (listed above).`);
    return 1;
  }
  console.log(`conformance floor: all ${floor.size} ids in ${floorFile} pass (${reports.map((r) => r.mode).join(', ')}).`);
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  console.error(`conformance floor: ${e.message}`);
  process.exitCode = 2;
}
