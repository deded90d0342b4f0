/**
 * `npm run bench`: the collector against the machine's limits, measured in the same run, written
 * into docs/benchmarks.md between its markers (and printed). BENCH_SMOKE=1 runs the short
 * version and leaves the doc alone; BENCH_MESSAGES and BENCH_RUNS change the full one.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { collectorBench, formatTable, FULL, SMOKE } from './collector-bench.js';

const DOC = fileURLToPath(new URL('../docs/benchmarks.md', import.meta.url));
const START = '<!-- bench:collector:start -->';
const END = '<!-- bench:collector:end -->';

const smoke = process.env.BENCH_SMOKE === '1';
const base = smoke ? SMOKE : FULL;
const options = {
  ...base,
  messages: Number(process.env.BENCH_MESSAGES ?? base.messages),
  runs: Number(process.env.BENCH_RUNS ?? base.runs),
  log: (line: string) => process.stderr.write(`${line}\n`),
};
const result = await collectorBench(options);
const table = formatTable(result);
process.stdout.write(`${table}\n`);
if (!smoke) {
  const doc = await readFile(DOC, 'utf8');
  const from = doc.indexOf(START);
  const to = doc.indexOf(END);
  if (from < 0 || to < from) throw new Error(`${DOC} lacks the ${START} … ${END} markers`);
  await writeFile(DOC, `${doc.slice(0, from + START.length)}\n${table}\n${doc.slice(to)}`);
  process.stderr.write(`table written to ${DOC}\n`);
}
