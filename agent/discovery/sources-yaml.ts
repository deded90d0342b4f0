/** The `sources:` block `powersite scan` prints, ready to paste into agent.yaml. */
import { Document, type Scalar, type YAMLSeq } from 'yaml';
import type { Workload } from '../../protocol/index.js';
import { minerId } from '../sources/cgminer/config.js';
import type { FoundMiner } from './scan.js';

/**
 * One `cgminer` source listing the miners as the config accepts them ("10.0.3.17", "10.0.3.18:4029"),
 * each with its detected model, family and firmware as a comment. The family is not pinned in the config, so a
 * miner that is reflashed later is detected again.
 */
export function sourcesYaml(found: readonly FoundMiner[], options: { workload?: Workload; scanned?: string } = {}): string {
  const where = options.scanned ? ` in ${options.scanned}` : '';
  if (found.length === 0) return `# powersite scan: no miners found${where}\n`;
  const doc = new Document({ sources: [{ type: 'cgminer', workload: options.workload ?? 'mining', miners: found.map((m) => minerId(m.host, m.port)) }] });
  doc.commentBefore = ` powersite scan: ${found.length} miner${found.length === 1 ? '' : 's'} found${where}`;
  const miners = doc.getIn(['sources', 0, 'miners'], true) as YAMLSeq<Scalar>;
  miners.items.forEach((item, i) => {
    const miner = found[i]!;
    item.comment = ` ${describeMiner(miner)}`;
  });
  return doc.toString();
}

/** "Antminer S9 (antminer, vnish 3.8.6)"; "model unknown (generic, ccminer 2.3.3)". */
export function describeMiner(miner: Pick<FoundMiner, 'family' | 'model' | 'firmware'>): string {
  return `${miner.model ?? 'model unknown'} (${[miner.family, miner.firmware].filter(Boolean).join(', ')})`;
}
