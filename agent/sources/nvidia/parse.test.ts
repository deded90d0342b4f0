import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isUnknownFieldError, numberOf, parseQueryGpuCsv, QUERY_FIELDS, toReading } from './parse.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const MIB = 1024 * 1024;

// Field lists of the commands that produced the header-less fixtures (see fixtures/SOURCES.md).
const TELEGRAF_2018 = 'fan.speed,memory.total,memory.used,memory.free,pstate,temperature.gpu,name,uuid,compute_mode,utilization.gpu,utilization.memory,index'.split(',');
const TELEGRAF_2019 = [...TELEGRAF_2018, ...'power.draw,pcie.link.gen.current,pcie.link.width.current,encoder.stats.sessionCount,encoder.stats.averageFps,encoder.stats.averageLatency,clocks.current.graphics,clocks.current.sm,clocks.current.memory,clocks.current.video'.split(',')];

function readingsOf(name: string, fields: readonly string[] = QUERY_FIELDS) {
  const { records, errors } = parseQueryGpuCsv(fixture(name), fields);
  expect(errors).toEqual([]);
  return records.map(toReading);
}

describe('nvidia-smi --query-gpu parsing (real outputs)', () => {
  it('H100 under load, driver 590 with units in every value: power.draw is the average', () => {
    expect(readingsOf('nvidia-h100-query-gpu.csv')).toEqual([
      {
        id: 'GPU-00000000-0000-0000-0000-000000000000', kind: 'gpu', vendor: 'nvidia', model: 'NVIDIA H100 80GB HBM3', up: true,
        power_w: 631.95, power_source: 'reported', utilization: 1, temp_c: 59, mem_used_bytes: 19818 * MIB, mem_total_bytes: 81559 * MIB,
      },
    ]);
  });

  it('H100 with MIG: utilisation is [N/A] but power is still reported', () => {
    const [gpu] = readingsOf('nvidia-h100-mig-query-gpu.csv');
    expect(gpu).toEqual({
      id: 'GPU-00000000-0000-0000-0000-000000000000', kind: 'gpu', vendor: 'nvidia', model: 'NVIDIA H100 80GB HBM3', up: true,
      power_w: 433.78, power_source: 'reported', temp_c: 53, mem_used_bytes: 11125 * MIB, mem_total_bytes: 81559 * MIB,
    });
    expect(gpu).not.toHaveProperty('utilization');
  });

  it('RTX 4080 SUPER, driver 595 (202 fields, bare N/A cells)', () => {
    expect(readingsOf('nvidia-rtx4080super-query-gpu.csv')).toEqual([
      {
        id: 'GPU-00000000-0000-0000-0000-000000000000', kind: 'gpu', vendor: 'nvidia', model: 'NVIDIA GeForce RTX 4080 SUPER', up: true,
        power_w: 84.24, power_source: 'reported', utilization: 0.07, temp_c: 46, mem_used_bytes: 1474 * MIB, mem_total_bytes: 16376 * MIB,
      },
    ]);
  });

  it('RTX 2080 SUPER on Windows: power.draw.average is [N/A], [Function Not Found] cells', () => {
    const text = fixture('nvidia-rtx2080super-windows-query-gpu.csv');
    expect(text).toContain('[Function Not Found]');
    const { records } = parseQueryGpuCsv(text, QUERY_FIELDS);
    expect(records[0]!['power.draw.average']).toBeUndefined();
    expect(records[0]!['bbx.time_run']).toBeUndefined();
    expect(records.map(toReading)).toEqual([
      {
        id: 'GPU-00000000-0000-0000-0000-000000000000', kind: 'gpu', vendor: 'nvidia', model: 'NVIDIA GeForce RTX 2080 SUPER', up: true,
        power_w: 97.99, power_source: 'reported', utilization: 0.07, temp_c: 44, mem_used_bytes: 1366 * MIB, mem_total_bytes: 8192 * MIB,
      },
    ]);
  });

  it('the same output with CRLF line endings parses the same', () => {
    const crlf = fixture('nvidia-rtx2080super-windows-query-gpu.csv').replace(/\n/g, '\r\n');
    expect(parseQueryGpuCsv(crlf, QUERY_FIELDS).records.map(toReading)[0]!.power_w).toBe(97.99);
  });

  it('Tesla P100, nounits with a header and no final newline', () => {
    expect(readingsOf('nvidia-tesla-p100-query-gpu-nounits.csv')).toEqual([
      {
        id: 'GPU-ef1b2c9b-38d8-2090-2bd1-f567a3eb42a6', kind: 'gpu', vendor: 'nvidia', model: 'Tesla P100-PCIE-16GB', up: true,
        power_w: 28.16, power_source: 'reported', utilization: 0, temp_c: 37, mem_used_bytes: 0,
      },
    ]);
  });

  it('GTX 1070 Ti, noheader/nounits without a power column: no power, no invented zero', () => {
    expect(readingsOf('nvidia-gtx1070ti-query-gpu-noheader-nounits.csv', TELEGRAF_2018)).toEqual([
      {
        id: 'GPU-d1911b8a-f5c8-5e66-057c-486561269de8', kind: 'gpu', vendor: 'nvidia', model: 'GeForce GTX 1070 Ti', up: true,
        utilization: 1, temp_c: 61, mem_used_bytes: 553 * MIB, mem_total_bytes: 8114 * MIB,
      },
    ]);
  });

  it('RTX 2080 Ti, noheader/nounits with power.draw', () => {
    expect(readingsOf('nvidia-rtx2080ti-query-gpu-noheader-nounits.csv', TELEGRAF_2019)).toEqual([
      {
        id: 'GPU-c97b7f88-c06d-650f-5339-f8dd0c1315c0', kind: 'gpu', vendor: 'nvidia', model: 'GeForce RTX 2080 Ti', up: true,
        power_w: 24.33, power_source: 'reported', utilization: 0.01, temp_c: 32, mem_used_bytes: 1074 * MIB, mem_total_bytes: 11264 * MIB,
      },
    ]);
  });
});

describe('nvidia-smi value edge cases', () => {
  it.each(['[N/A]', 'N/A', '[Not Supported]', '[Function Not Found]', '[Requested functionality has been deprecated]', ''])(
    '"%s" is no value',
    (cell) => {
      const line = `0, GPU-1, Tesla T4, ${cell}, 20.5, 19.9, 50, 40, 100, 15360`;
      const { records } = parseQueryGpuCsv(line, QUERY_FIELDS);
      expect(records[0]!['power.draw']).toBeUndefined();
      // power falls back to power.draw.average when power.draw is missing
      expect(toReading(records[0]!).power_w).toBe(20.5);
    },
  );

  it('a row with the wrong number of cells is reported, not misread', () => {
    const { records, errors } = parseQueryGpuCsv('0, GPU-1, Tesla T4, 20\n1, GPU-2, Tesla T4, 21.5, 21, 22, 5, 30, 1, 2', QUERY_FIELDS);
    expect(records).toHaveLength(1);
    expect(records[0]!.uuid).toBe('GPU-2');
    expect(errors[0]).toMatch(/line 1: expected 10 values, got 4/);
  });

  it('several GPUs give several readings, with a fallback id when uuid is missing', () => {
    const out = '0, GPU-a, NVIDIA A100, 250.5, 250.1, 251, 87, 60, 1000, 81920\n1, [N/A], NVIDIA A100, 90, 90, 90, 0, 40, 0, 81920\n';
    const readings = parseQueryGpuCsv(out, QUERY_FIELDS).records.map(toReading);
    expect(readings.map((r) => [r.id, r.power_w, r.utilization])).toEqual([
      ['GPU-a', 250.5, 0.87],
      ['gpu1', 90, 0],
    ]);
  });

  it('numbers with units and garbage', () => {
    expect(numberOf('631.95 W')).toBe(631.95);
    expect(numberOf('100 %')).toBe(100);
    expect(numberOf('abc')).toBeUndefined();
    expect(numberOf('0x3')).toBeUndefined();
  });

  it('recognises the old-driver field error', () => {
    expect(isUnknownFieldError('Field "power.draw.instant" is not a valid field to query.')).toBe(true);
    expect(isUnknownFieldError('NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver.')).toBe(false);
  });
});
