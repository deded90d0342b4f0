// A source that fails every cycle (nvidia-smi not installed) is logged once, not every cycle, and
// its recovery is logged once with how many cycles it failed. Real agent, real missing command.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Agent } from '../agent/agent.js';
import { AgentConfig } from '../agent/config.js';
import { freePort } from './harness/index.js';
import { installFakeNvidiaSmi, fixtureList, type FakeNvidiaSmi } from './fakes/fake-nvidia-smi.js';

let dir: string;
let fake: FakeNvidiaSmi;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'powersite-source-failures-'));
  fake = await installFakeNvidiaSmi();
});
afterAll(async () => {
  await fake.remove();
  await rm(dir, { recursive: true, force: true });
});

it('logs a failing source once, and its recovery once', async () => {
  const lines: { msg: string; source?: string; failed_cycles?: number }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as { msg: string }) });
  // A wrapper the test switches: missing first (exit 127 as a shell says), then the real fake.
  const command = join(dir, 'nvidia-smi');
  await writeFile(command, '#!/bin/sh\nexit 127\n');
  await chmod(command, 0o755);
  const agent = new Agent(
    AgentConfig.parse({
      site: 's', host: 'h', interval: '10s', state_dir: join(dir, 'state'),
      mqtt: { url: `mqtt://127.0.0.1:${await freePort()}`, reconnect_period: '10s' },
      sources: [{ type: 'nvidia', command }],
    }),
    { logger },
  );
  await agent.start();
  try {
    for (let i = 0; i < 4; i++) expect((await agent.cycle(Date.now())).failedSources).toEqual(['nvidia']);
    expect(lines.filter((l) => l.msg.startsWith('source read failed'))).toHaveLength(1);
    process.env.FAKE_NVIDIA_SMI_FIXTURES = fixtureList('nvidia-h100-query-gpu.csv');
    process.env.FAKE_NVIDIA_SMI_MODE = 'ok';
    await writeFile(command, `#!/bin/sh\nexec "${fake.command}" "$@"\n`);
    expect((await agent.cycle(Date.now())).failedSources).toEqual([]);
    expect(lines.filter((l) => l.msg === 'source recovered')).toEqual([expect.objectContaining({ source: 'nvidia', failed_cycles: 4 })]);
  } finally {
    await agent.stop();
  }
}, 120_000);
