// The configuration reference is generated from the schemas: this fails when a key, default or
// description changed without `npm run docs`, or when a key has no `.describe()`.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { configReference, REFERENCE_FILE, undocumentedKeys } from './config-reference.js';
import { SOURCE_DEFINITIONS } from '../agent/sources/registry.js';

it('docs/configuration.md is up to date with the zod schemas (run `npm run docs`)', () => {
  const generated = configReference();
  expect(readFileSync(REFERENCE_FILE, 'utf8')).toBe(generated);
  // Every source type and the keys a user trips over are there, with their variables.
  for (const def of SOURCE_DEFINITIONS) expect(generated).toContain(`#### \`type: ${def.type}\``);
  expect(generated).toContain('| `mqtt.password_file` | string |  | `POWERSITE_MQTT_PASSWORD_FILE` |');
  expect(generated).toMatch(/\| `interval` \| number, or string with a unit \| `10` \| `POWERSITE_INTERVAL` \|/);
  expect(generated).toContain("| `host` | string | this machine's short hostname |");
});

it('every config key carries a description (`.describe()` on its zod schema)', () => {
  expect(undocumentedKeys()).toEqual([]);
  expect(configReference()).not.toMatch(/ \|  \|$/m);
});
