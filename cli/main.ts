/**
 * `powersite`: one executable for every part. Subcommands are loaded on demand, so the agent
 * process never loads collector code. Exit codes follow sysexits.h: 0 ok, 1 runtime
 * failure, 64 usage, 69 a service unavailable, 77 no permission, 78 bad configuration.
 */
import { Argument, Command, CommanderError, Option } from 'commander';
import { ConfigError } from '../common/config-file.js';
import { EXIT, NoPermissionError, UnavailableError } from '../common/exit-codes.js';
import { VERSION } from '../common/version.js';
import { DEFAULT_COLLECTOR_MQTT_USER, DEFAULT_USER, PARTS } from './install/defaults.js';
import { durationFlag, httpUrlFlag, portFlag, UsageError } from './flags.js';

const program = new Command()
  .name('powersite')
  .description('Live per-megawatt telemetry and economics for sites running Bitcoin ASICs and AI/HPC GPUs')
  .version(VERSION)
  .exitOverride();

program
  .command('agent')
  .description('read this host\'s GPUs, miners and sensors and publish them over MQTT')
  .option('-c, --config <file>', 'agent.yaml (keys can be overridden by POWERSITE_* variables)', process.env.POWERSITE_CONFIG)
  .option('--once', 'read every source once and print the devices as the agent would publish them (no broker needed); exit 0 only if every source answered')
  .option('--json', 'with --once: print JSON instead of a table')
  .action(async (opts: { config?: string; once?: boolean; json?: boolean }) => (await import('./agent-command.js')).runAgent(opts));

program
  .command('collector')
  .description('subscribe to agents, write InfluxDB, compute the economics and serve /metrics')
  .option('-c, --config <file>', 'collector.yaml (keys can be overridden by POWERSITE_* variables)', process.env.POWERSITE_CONFIG)
  .action(async (opts: { config?: string }) => (await import('./collector-command.js')).runCollector(opts.config));

program
  .command('demo')
  .description('the whole system on embedded defaults: in-process MQTT broker, a simulated site, an agent per host and a collector')
  .option('--port <port>', 'HTTP port of the site page and /metrics (0: any free port)', portFlag, 9464)
  .option('--mqtt-port <port>', 'port of the embedded MQTT broker (by default 1883, or any free port when 1883 is taken)', portFlag, 1883)
  .option('--influx <url>', 'also write history to this InfluxDB 1.x (e.g. http://127.0.0.1:8086)', httpUrlFlag)
  .option('--interval <duration>', 'sampling interval of the simulated agents', durationFlag, 2000)
  .addOption(new Option('--duration <duration>', 'stop by itself after this long (default: run until Ctrl-C)').argParser(durationFlag))
  .action(async (opts, cmd: Command) =>
    (await import('./demo-command.js')).runDemo({ ...opts, mqttPortGiven: cmd.getOptionValueSource('mqttPort') !== 'default' }),
  );

program
  .command('scan')
  .description('find miners on a LAN (CGMiner API, ports 4028 and 4433) and print a sources block for agent.yaml')
  .argument('<cidr>', 'the range to probe, e.g. 10.0.3.0/24 (at most a /16)')
  .option('--ports <list>', 'comma-separated ports to probe', '4028,4433')
  .option('--timeout <duration>', 'connect and reply deadline per probe', '1s')
  .option('--concurrency <n>', 'probes at once', '256')
  .option('--workload <workload>', 'workload of the printed source (mining or hpc)', 'mining')
  .action(async (cidr: string, opts) => (await import('./scan-command.js')).runScan(cidr, opts));

program
  .command('probe')
  .description('detect one miner and print which firmware replies identified it and the device the agent would publish')
  .argument('<address>', 'the miner, e.g. 10.0.3.17 (tries ports 4028 then 4433) or 10.0.3.17:4029')
  .option('--timeout <duration>', 'connect and reply deadline per request', durationFlag, 3000)
  .option('--workload <workload>', 'workload the device is billed to (mining or hpc)', 'mining')
  .option('--json', 'print JSON instead of a report')
  .action(async (address: string, opts) => (await import('./probe-command.js')).runProbe(address, opts));

program
  .command('check-config')
  .description('validate an agent or collector config file, then check what would fail at run time on this machine')
  .argument('<file>', 'the YAML file')
  .addOption(new Option('--kind <kind>', 'which config it is (guessed from its keys by default)').choices(['agent', 'collector']))
  .option('--user <name>', 'the user the service runs as, for file permissions (default: powersite where it exists, else you)')
  .option('--schema-only', 'check keys and values only, not this machine (files, user, PATH)')
  .option('--print', 'print the effective config: the file with POWERSITE_* overrides applied, secrets masked')
  .action(async (file: string, opts) => (await import('./check-config-command.js')).runCheckConfig(file, opts));

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

program
  .command('install')
  .description('install this single-file build as a systemd service: config from the flags, MQTT secret, user, directories, hardened unit (docs/install.md)')
  .addArgument(new Argument('<part>', 'what this machine runs').choices(PARTS))
  .option('--site <site>', 'agent (required): the site this host belongs to; collector: the name of the example site in collector.yaml')
  .option('--host <host>', "agent: this host's name in topics and its MQTT user name (default: the short hostname)")
  .option('--broker <url>', 'MQTT broker URL, e.g. mqtts://broker.example.net:8883 (required for the agent)')
  .option('--source <type>', 'agent: a source to read (repeatable; e.g. nvidia, amd, host, simulated); default nvidia and host', collect)
  .addOption(new Option('--workload <workload>', 'agent: what the --source devices are billed to').choices(['hpc', 'mining']))
  .option('--mqtt-user <name>', `collector: its MQTT user name (default ${DEFAULT_COLLECTOR_MQTT_USER} when a password is given)`)
  .option('--password-file <file>', 'the MQTT password, copied to a file only the service user can read')
  .option('--password-stdin', 'read the MQTT password from standard input')
  .option('--ca <file>', "the CA certificate of the broker's (a private CA): copied to /etc/powersite/ca.pem and set as mqtt.ca")
  .option('--user <name>', 'the user the service runs as', DEFAULT_USER)
  .option('--no-enable', 'do not enable and start the unit')
  .option('--root <dir>', 'write every file under this directory instead of /, owned by you; user and systemctl commands are printed, not run')
  .action(async (part, opts) => (await import('./install-command.js')).runInstall(part, opts));

program
  .command('uninstall')
  .description('stop and remove what `powersite install` put in place; the data stays unless --purge')
  .addArgument(new Argument('<part>', 'which part').choices(PARTS))
  .option('--purge', "also remove the data (the agent's state and spool) and, when no part is left, the user")
  .option('--keep-config', 'leave the config and MQTT secret in /etc/powersite')
  .option('--user <name>', 'the user the service runs as', DEFAULT_USER)
  .option('--root <dir>', 'remove under this directory instead of /; systemctl and userdel are printed, not run')
  .action(async (part, opts) => (await import('./install-command.js')).runUninstall(part, opts));

async function main(): Promise<void> {
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
      return;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`powersite: ${err.message}\n`);
      process.exitCode = EXIT.USAGE;
      return;
    }
    if (err instanceof UnavailableError) {
      process.stderr.write(`powersite: ${err.message}\n`);
      process.exitCode = EXIT.UNAVAILABLE;
      return;
    }
    if (err instanceof NoPermissionError) {
      process.stderr.write(`powersite: ${err.message}\n`);
      process.exitCode = EXIT.NOPERM;
      return;
    }
    if (err instanceof ConfigError) {
      process.stderr.write(`powersite: ${err.message}\n`);
      process.exitCode = EXIT.CONFIG;
      return;
    }
    process.stderr.write(`powersite: ${(err as Error).message ?? String(err)}\n`);
    process.exitCode = EXIT.FAILURE;
  }
}

await main();
