#!/usr/bin/env node
// Makes sure the real services the integration tests start are installed (Debian packages).
// Quick when everything is present; as root it installs what is missing, otherwise it says what to run.
import { spawnSync } from 'node:child_process';
import { findBinary } from './harness/binaries.mjs';

const REQUIRED = [
  { binary: 'mosquitto', pkg: 'mosquitto' },
  { binary: 'mosquitto_pub', pkg: 'mosquitto-clients' },
  { binary: 'influxd', pkg: 'influxdb' },
  { binary: 'influx', pkg: 'influxdb-client' },
  { binary: 'prometheus', pkg: 'prometheus' },
  { binary: 'promtool', pkg: 'prometheus' },
  // Generates the throwaway certificates for the MQTT-over-TLS tests.
  { binary: 'openssl', pkg: 'openssl' },
  // The second store the collector writes (InfluxDB line protocol), queried with MetricsQL.
  { binary: 'victoria-metrics', pkg: 'victoria-metrics' },
  // The live site page is tested in a real headless browser (driven by playwright-core).
  { binary: 'chromium', pkg: 'chromium' },
  // The agent benchmark runs beside node_exporter, scraped at the same interval.
  { binary: 'prometheus-node-exporter', pkg: 'prometheus-node-exporter' },
  // Walks the fake PDUs in the snmp source's tests, as an operator would.
  { binary: 'snmpwalk', pkg: 'snmp' },
  // Verifies the systemd units that `powersite install` writes.
  { binary: 'systemd-analyze', pkg: 'systemd' },
  // /bin/kill, which the units' ExecReload names: systemd-analyze verify looks for it.
  { binary: 'kill', pkg: 'procps' },
];

const missing = () => REQUIRED.filter(({ binary }) => findBinary(binary) === undefined);

function describe(list) {
  return list.map(({ binary, pkg }) => `${binary} (package ${pkg})`).join(', ');
}

function run(command, args) {
  console.log(`ensure-services: $ ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (result.error) throw new Error(`${command} could not run: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${result.status ?? result.signal}`);
}

const absent = missing();
if (absent.length === 0) {
  console.log(`ensure-services: all installed: ${REQUIRED.map(({ binary }) => binary).join(', ')}`);
  process.exit(0);
}

const packages = [...new Set(absent.map(({ pkg }) => pkg))];
const installCommand = `apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ${packages.join(' ')}`;

if (process.getuid?.() !== 0) {
  console.error(
    `ensure-services: the integration tests run real services, and these are missing: ${describe(absent)}.\n` +
      `Install the Debian packages ${packages.join(', ')} as root:\n  sudo sh -c '${installCommand}'`,
  );
  process.exit(1);
}

console.log(
  `ensure-services: missing ${describe(absent)}, which the integration tests run for real; ` +
    `installing the Debian packages ${packages.join(', ')} with apt-get (running as root).`,
);
try {
  run('apt-get', ['update']);
  run('apt-get', ['install', '-y', ...packages]);
} catch (error) {
  console.error(`ensure-services: installing failed: ${error.message}\nRun by hand: ${installCommand}`);
  process.exit(1);
}

const stillAbsent = missing();
if (stillAbsent.length > 0) {
  console.error(`ensure-services: still missing after apt-get install: ${describe(stillAbsent)}`);
  process.exit(1);
}
console.log('ensure-services: all services installed');
