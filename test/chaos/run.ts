/** `npm run chaos [-- --short] [-- --only a,b]`: runs the chaos suite and prints its figures. */
import { formatResult, markdownTable, runChaos } from './suite.js';

const args = process.argv.slice(2);
const short = args.includes('--short');
const onlyArg = args.find((a) => a.startsWith('--only='));
const results = await runChaos({
  scale: short ? 1 : 3,
  ...(onlyArg ? { only: onlyArg.slice('--only='.length).split(',') } : {}),
  onResult: (r) => process.stdout.write(`${formatResult(r)}\n`),
});
process.stdout.write(`\n${markdownTable(results)}\n`);
const bad = results.filter((r) => r.lost !== r.dropped);
if (bad.length > 0) {
  process.stderr.write(`chaos: loss beyond the spool's own drops in ${bad.map((r) => r.scenario).join(', ')}\n`);
  process.exitCode = 1;
}
