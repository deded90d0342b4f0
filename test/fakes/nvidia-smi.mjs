#!/usr/bin/env node
// A stand-in for nvidia-smi built from real captures (agent/sources/nvidia/fixtures): answers
// `--query-gpu=F1,F2,... --format=csv[,noheader][,nounits]` with each fixture's values for those
// fields, one GPU per fixture, exactly as the real tool prints them ("[N/A]" and all).
// Environment:
//   FAKE_NVIDIA_SMI_FIXTURES  comma-separated capture files with a header line (one GPU each)
//   FAKE_NVIDIA_SMI_MODE      ok | hang | fail | old-driver (rejects power.draw.average/.instant) | garbage
import { readFileSync } from 'node:fs';

const mode = process.env.FAKE_NVIDIA_SMI_MODE ?? 'ok';
if (mode === 'hang') setInterval(() => {}, 1000);
else main();

function main() {
  if (mode === 'fail') {
    process.stdout.write('NVIDIA-SMI has failed because it couldn\'t communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.\n\n');
    process.exit(9);
  }
  if (mode === 'garbage') {
    process.stdout.write('\u0000\u0001 segfault? 0, , , ,\n');
    process.exit(0);
  }
  const query = process.argv.find((a) => a.startsWith('--query-gpu='));
  const format = process.argv.find((a) => a.startsWith('--format='))?.slice('--format='.length).split(',') ?? [];
  if (!query) {
    process.stderr.write('fake nvidia-smi only answers --query-gpu\n');
    process.exit(2);
  }
  const fields = query.slice('--query-gpu='.length).split(',');
  if (mode === 'old-driver') {
    const unknown = fields.find((f) => f === 'power.draw.average' || f === 'power.draw.instant');
    if (unknown) {
      process.stdout.write(`Field "${unknown}" is not a valid field to query.\n\n`);
      process.exit(2);
    }
  }
  const files = (process.env.FAKE_NVIDIA_SMI_FIXTURES ?? '').split(',').filter(Boolean);
  const lines = [];
  if (!format.includes('noheader')) lines.push(fields.join(', '));
  files.forEach((file, gpu) => {
    const [header, row] = readFileSync(file, 'utf8').split('\n');
    const names = header.split(', ').map((h) => h.replace(/ \[[^\]]+\]$/, ''));
    const values = row.split(', ');
    const cell = (field) => {
      if (field === 'index') return String(gpu);
      let v = names.includes(field) ? values[names.indexOf(field)] : '[N/A]';
      // The captures mask every UUID to GPU-00000000-...-000000000000, counting up per GPU.
      if (field === 'uuid' && /^GPU-0{8}-0{4}-0{4}-0{4}-0{12}$/.test(v)) v = `GPU-00000000-0000-0000-0000-${String(gpu).padStart(12, '0')}`;
      if (format.includes('nounits')) v = v.replace(/ (W|%|MiB|MHz|us)$/, '');
      return v;
    };
    lines.push(fields.map(cell).join(', '));
  });
  process.stdout.write(`${lines.join('\n')}\n`);
}
