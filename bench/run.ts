/**
 * `npm run bench`: the collector against the machine's limits, then the agent beside
 * node_exporter, each measured in the same run, written into docs/benchmarks.md between its
 * markers (and printed). BENCH_SMOKE=1 runs the short version and leaves the doc alone;
 * BENCH_MESSAGES and BENCH_RUNS change the full one; BENCH_ONLY=collector or agent runs one half
 * (and rewrites only its table).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { AGENT_FULL, AGENT_SMOKE, agentBench, formatAgentTable } from './agent-bench.js';
import { collectorBench, formatTable, FULL, SMOKE } from './collector-bench.js';

const DOC = fileURLToPath(new URL('../docs/benchmarks.md', import.meta.url));

/** Replaces what stands between `<!-- bench:NAME:start -->` and its end marker. */
function replaceSection(doc: string, name: string, text: string): string {
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const from = doc.indexOf(start);
  const to = doc.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${DOC} lacks the ${start} … ${end} markers`);
  return `${doc.slice(0, from + start.length)}\n${text}\n${doc.slice(to)}`;
}

const smoke = process.env.BENCH_SMOKE === '1';
const base = smoke ? SMOKE : FULL;
const options = {
  ...base,
  messages: Number(process.env.BENCH_MESSAGES ?? base.messages),
  runs: Number(process.env.BENCH_RUNS ?? base.runs),
  log: (line: string) => process.stderr.write(`${line}\n`),
};
const only = process.env.BENCH_ONLY;
if (only !== undefined && only !== 'collector' && only !== 'agent') throw new Error(`BENCH_ONLY must be collector or agent, not ${only}`);
const tables: Record<string, string> = {};
if (only !== 'agent') tables.collector = formatTable(await collectorBench(options));
if (only !== 'collector') {
  const agentOptions = { ...(smoke ? AGENT_SMOKE : AGENT_FULL), log: options.log };
  tables.agent = formatAgentTable(await agentBench(agentOptions), agentOptions.built);
}
for (const table of Object.values(tables)) process.stdout.write(`${table}\n`);
if (!smoke) {
  let doc = await readFile(DOC, 'utf8');
  for (const [name, table] of Object.entries(tables)) doc = replaceSection(doc, name, table);
  await writeFile(DOC, doc);
  process.stderr.write(`${Object.keys(tables).join(' and ')} tables written to ${DOC}\n`);
}
