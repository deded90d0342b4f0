// Every family's sample.yaml is a working agent config: what an operator copies must load.
import { readdirSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { loadConfig } from '../../common/config-file.js';
import { AgentConfig } from '../config.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const samples = readdirSync(here, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(`${here}${d.name}/sample.yaml`))
  .map((d) => d.name);

it('has samples for the measuring sources', () => {
  expect(samples).toEqual(expect.arrayContaining(['redfish', 'modbus', 'snmp']));
});

it.each(samples)('%s/sample.yaml loads as an agent config', async (family) => {
  const config = await loadConfig(AgentConfig, `${here}${family}/sample.yaml`, { env: {} });
  expect(config.sources.some((s) => s.type === family)).toBe(true);
});
