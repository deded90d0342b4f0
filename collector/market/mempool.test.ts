import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { btcPerPhDay, hashpriceUsdPerPhDay, subsidySats } from '../economics/bitcoin.js';
import { parseBlocks, parseHashrate, parseJsonBody, parsePrices, parseRewardStats, parseTipHeight, tipBlock, type BlockSummary } from './mempool.js';

// Fixtures and their provenance: test/fixtures/market/SOURCES.md.
const fixture = (name: string) => readFileSync(new URL(`../../test/fixtures/market/${name}`, import.meta.url), 'utf8');
const ws = (name: string) => parseJsonBody('blocks', fixture(name)) as { blocks: unknown; conversions?: unknown };

function expectRelative(actual: number, expected: number, tolerance: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance * Math.abs(expected));
}

const sumFees = (blocks: BlockSummary[]) => blocks.reduce((s, b) => s + b.total_fees_sats!, 0);

describe('tip height (text/plain)', () => {
  it('reads the docs example body "698767"', () => {
    expect(parseTipHeight(fixture('mempool-docs-blocks-tip-height.txt'))).toBe(698_767);
  });

  it('tolerates a trailing newline and rejects anything but digits', () => {
    expect(parseTipHeight('837050\n')).toBe(837_050);
    expect(() => parseTipHeight('<html>502 Bad Gateway</html>')).toThrow('/api/blocks/tip/height: expected the block height as plain-text digits, got "<html>502 Bad Gateway</html>"');
    expect(() => parseTipHeight('')).toThrow(/plain-text digits/);
    expect(() => parseTipHeight('-1')).toThrow(/plain-text digits/);
  });
});

describe('blocks', () => {
  it('the 2024-03-31 websocket snapshot: 8 blocks 837043..837050, oldest first, fees in sats', () => {
    const blocks = parseBlocks(ws('mempool-ws-init.837050.json').blocks);
    expect(blocks.map((b) => [b.height, b.timestamp_s, b.total_fees_sats])).toEqual([
      [837043, 1711850338, 10081690],
      [837044, 1711850704, 11442248],
      [837045, 1711853470, 25142949],
      [837046, 1711853947, 16586175],
      [837047, 1711854238, 12535865],
      [837048, 1711854388, 11119622],
      [837049, 1711854621, 10976151],
      [837050, 1711854927, 10929414],
    ]);
    expect(new Set(blocks.map((b) => b.difficulty))).toEqual(new Set([83126997340024.61]));
    expect(tipBlock(blocks)).toMatchObject({ height: 837050, timestamp_s: 1711854927 });
    expect(sumFees(blocks)).toBe(108_814_114);
  });

  it('the 2022 schema (with coinbaseTx, no mediantime) and the 2025 schema (integer difficulty) parse the same way', () => {
    const old = parseBlocks(ws('mempool-ws-init.727333.json').blocks);
    expect(old).toHaveLength(8);
    expect(tipBlock(old)).toEqual({ height: 727333, timestamp_s: 1647279951, difficulty: 27550332084343.84, total_fees_sats: 16367077, reward_sats: 641367077 });
    expect(sumFees(old)).toBe(96_622_045);
    const recent = parseBlocks(ws('mempool-ws-blocks.890447.json').blocks);
    expect(tipBlock(recent)).toEqual({ height: 890447, timestamp_s: 1743541240, difficulty: 113757508810854, total_fees_sats: 1935106, reward_sats: 314435106 });
    expect(sumFees(recent)).toBe(35_017_775);
  });

  it('genesis from /api/v1/blocks/0: 50 BTC reward, no fees, difficulty 1', () => {
    expect(parseBlocks(parseJsonBody('blocks', fixture('mempool-v1-blocks-0.json')))).toEqual([
      { height: 0, timestamp_s: 1231006505, difficulty: 1, total_fees_sats: 0, reward_sats: 5_000_000_000 },
    ]);
  });

  it('every block of every snapshot pays exactly subsidy(height) + its fees (SOURCES.md cross-check)', () => {
    const all = [
      ...parseBlocks(ws('mempool-ws-init.837050.json').blocks),
      ...parseBlocks(ws('mempool-ws-init.727333.json').blocks),
      ...parseBlocks(ws('mempool-ws-blocks.890447.json').blocks),
      ...parseBlocks(parseJsonBody('blocks', fixture('mempool-v1-blocks-0.json'))),
    ];
    expect(all).toHaveLength(25);
    for (const b of all) expect(BigInt(b.reward_sats!) - subsidySats(b.height)).toBe(BigInt(b.total_fees_sats!));
  });

  it('accepts blocks without extras (mempool v2.2) and explains a bad body', () => {
    expect(parseBlocks([{ height: 5, timestamp: 10, difficulty: 2 }])).toEqual([{ height: 5, timestamp_s: 10, difficulty: 2, total_fees_sats: null, reward_sats: null }]);
    expect(() => parseBlocks([])).toThrow('/api/v1/blocks: unexpected shape at the body: expected at least one block');
    expect(() => parseBlocks({ error: 'x' })).toThrow(/^\/api\/v1\/blocks: unexpected shape at the body: /);
    expect(() => parseBlocks([{ height: 5, timestamp: 10, difficulty: 0 }])).toThrow(/^\/api\/v1\/blocks: unexpected shape at 0\.difficulty: /);
  });

  it('the docs example for /api/v1/blocks/730000 is not JSON (a trailing "..."): rejected with a clear error', () => {
    expect(() => parseJsonBody('blocks', fixture('mempool-docs-v1-blocks-730000.txt'))).toThrow(/^\/api\/v1\/blocks: not valid JSON \(.+\); the body starts "\[\\n  \{/);
  });
});

describe('reward stats', () => {
  it('docs example over 100 blocks: sums are strings of sats; 0.1311748254 BTC of fees per block', () => {
    expect(parseRewardStats(parseJsonBody('reward_stats', fixture('mempool-docs-v1-mining-reward-stats-100.json')))).toEqual({
      start_block: 736556,
      end_block: 736655,
      total_fee_sats: 1_311_748_254,
      total_reward_sats: 63_811_748_254,
      fees_btc_per_block: 0.1311748254,
    });
  });

  it('rejects a sum that is not a whole number of sats, and a window that ends before it starts', () => {
    expect(() => parseRewardStats({ startBlock: 1, endBlock: 144, totalReward: '12.5', totalFee: '1' })).toThrow(
      '/api/v1/mining/reward-stats/144: unexpected shape at totalReward: expected a whole number of sats',
    );
    expect(() => parseRewardStats({ startBlock: 10, endBlock: 9, totalReward: '1', totalFee: '1' })).toThrow(/endBlock is before startBlock/);
    expect(parseRewardStats({ startBlock: 1, endBlock: 144, totalReward: 1, totalFee: 144e8 }).fees_btc_per_block).toBe(1);
  });
});

describe('network hashrate', () => {
  it('docs example for 3d: 252 EH/s in H/s, difficulty 31251101365711.12', () => {
    expect(parseHashrate(parseJsonBody('hashrate', fixture('mempool-docs-v1-mining-hashrate-3d.json')))).toEqual({
      hashrate_hs: 252033247355212300000,
      difficulty: 31251101365711.12,
    });
  });

  it('0 means the backend cannot reach its node: an error, not a value', () => {
    expect(() => parseHashrate({ currentHashrate: 0, currentDifficulty: 0 })).toThrow('/api/v1/mining/hashrate/3d: currentHashrate is 0: the backend cannot reach its Bitcoin node');
    expect(parseHashrate({ currentHashrate: 5, currentDifficulty: 0 }).difficulty).toBeNull();
  });
});

describe('prices', () => {
  it('current schema: integer USD and time in seconds', () => {
    expect(parsePrices(parseJsonBody('prices', fixture('mempool-v1-prices.837050.from-ws-init.json')))).toEqual({ usd: 69880, time_s: 1711854906 });
    expect(parsePrices(ws('mempool-ws-init.837050.json').conversions)).toEqual({ usd: 69880, time_s: 1711854906 });
  });

  it('2022 schema: a float USD and no time', () => {
    expect(parsePrices(parseJsonBody('prices', fixture('mempool-v1-prices.727333.from-ws-init.json')))).toEqual({ usd: 38723.918, time_s: null });
  });

  it('no price yet (time 0, every currency -1) and a -1 USD are errors', () => {
    expect(() => parsePrices({ time: 0, USD: -1, EUR: -1 })).toThrow('/api/v1/prices: time is 0: the backend has not fetched a price yet');
    expect(() => parsePrices({ time: 1711854906, USD: -1, EUR: 64823 })).toThrow('/api/v1/prices: USD is -1: the backend has no USD price');
    expect(() => parsePrices({ EUR: 1 })).toThrow(/^\/api\/v1\/prices: unexpected shape at USD: /);
  });

  it('the docs example is a JS object literal, not JSON: rejected with a clear error', () => {
    expect(() => parseJsonBody('prices', fixture('mempool-docs-v1-prices.txt'))).toThrow(/^\/api\/v1\/prices: not valid JSON \(.+\); the body starts "\{\\n  time: 1703252411/);
  });
});

describe('worked checks of fixtures/market/SOURCES.md (hashprice, relative tolerance 1e-9)', () => {
  function snapshot(name: string) {
    const body = ws(name);
    const blocks = parseBlocks(body.blocks);
    const tip = tipBlock(blocks);
    return { chain: { height: tip.height, difficulty: tip.difficulty, fees_btc_per_block: sumFees(blocks) / blocks.length / 1e8 }, body };
  }

  it('837050 (2024-03-31): 0.0015454035365832942 BTC and $107.9927991364406 per PH/s per day', () => {
    const { chain, body } = snapshot('mempool-ws-init.837050.json');
    expect(chain.fees_btc_per_block).toBe(0.1360176425);
    const price = parsePrices(body.conversions).usd;
    expectRelative(btcPerPhDay(chain), 0.0015454035365832942, 1e-9);
    expectRelative(hashpriceUsdPerPhDay(chain, price), 107.9927991364406, 1e-9);
    expectRelative(hashpriceUsdPerPhDay({ ...chain, fees_btc_per_block: 0 }, price), 105.69262917640832, 1e-9);
  });

  it('727333 (2022-03-14): 0.004651783399815969 BTC and $180.13527892823475 per PH/s per day', () => {
    const { chain, body } = snapshot('mempool-ws-init.727333.json');
    expect(chain.fees_btc_per_block).toBe(0.12077755625);
    const price = parsePrices(body.conversions).usd;
    expectRelative(btcPerPhDay(chain), 0.004651783399815969, 1e-9);
    expectRelative(hashpriceUsdPerPhDay(chain, price), 180.13527892823475, 1e-9);
    expectRelative(hashpriceUsdPerPhDay({ ...chain, fees_btc_per_block: 0 }, price), 176.72026426302793, 1e-9);
  });

  it('890447 (2025-04-01, no price in the file): 0.0005603570370948642 BTC per PH/s per day', () => {
    const { chain } = snapshot('mempool-ws-blocks.890447.json');
    expect(chain.fees_btc_per_block).toBe(0.04377221875);
    expectRelative(btcPerPhDay(chain), 0.0005603570370948642, 1e-9);
  });

  it('V5 (mempool api-docs-data.ts) from the parsed docs examples: 4.107610e-3 BTC/PH/day', () => {
    const stats = parseRewardStats(parseJsonBody('reward_stats', fixture('mempool-docs-v1-mining-reward-stats-100.json')));
    const { difficulty } = parseHashrate(parseJsonBody('hashrate', fixture('mempool-docs-v1-mining-hashrate-3d.json')));
    expect(stats.total_reward_sats / 100 / 1e8).toBe(6.3811748254);
    expectRelative(btcPerPhDay({ height: stats.end_block, difficulty: difficulty!, fees_btc_per_block: stats.fees_btc_per_block }), 4.10761e-3, 1e-6);
  });
});
