/**
 * Damage in SQLite's write-ahead log (`vault.db-wal`), which SQLite itself does not report.
 *
 * SQLite replays the log's frames up to the first one whose checksum fails and takes the rest for
 * a write a crash cut short: after one changed byte in the middle, every commit after it would be
 * dropped without a word (the failure issue 23 found in the old journal). A crash cannot leave a
 * whole commit after a broken frame (SQLite writes a transaction's frames in order and fsyncs
 * before the commit is acknowledged), so a commit frame of the same log generation (same salts)
 * past the break means damage. Format: https://www.sqlite.org/fileformat2.html#walformat
 */
import { readFileSync } from "node:fs";

const HEADER = 32;
const FRAME_HEADER = 24;

export interface WalDamage {
  /** Byte offset of the first frame that fails its checksum. */
  offset: number;
  /** Commits after it that SQLite will not replay. */
  commitsLost: number;
}

export function findWalDamage(file: string): WalDamage | undefined {
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch {
    return undefined; // no log: nothing to replay
  }
  if (data.length < HEADER) return undefined;
  const magic = data.readUInt32BE(0);
  if (magic !== 0x377f0682 && magic !== 0x377f0683) return undefined; // not a log SQLite would replay either
  const bigEndian = (magic & 1) === 1;
  const pageSize = data.readUInt32BE(8);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) return undefined;
  let sums = checksum(data, 0, 24, [0, 0], bigEndian);
  if (sums[0] !== data.readUInt32BE(24) || sums[1] !== data.readUInt32BE(28)) return undefined; // a header SQLite ignores whole
  const salt = data.subarray(16, 24);
  const frameSize = FRAME_HEADER + pageSize;

  let offset = HEADER;
  for (; offset + frameSize <= data.length; offset += frameSize) {
    if (!data.subarray(offset + 8, offset + 16).equals(salt)) return undefined; // the log's end: frames of an older generation
    sums = checksum(data, offset, 8, sums, bigEndian);
    sums = checksum(data, offset + FRAME_HEADER, pageSize, sums, bigEndian);
    if (sums[0] !== data.readUInt32BE(offset + 16) || sums[1] !== data.readUInt32BE(offset + 20)) break;
  }
  let commitsLost = 0;
  for (let later = offset + frameSize; later + frameSize <= data.length; later += frameSize) {
    if (data.subarray(later + 8, later + 16).equals(salt) && data.readUInt32BE(later + 4) !== 0) commitsLost++;
  }
  return commitsLost > 0 ? { offset, commitsLost } : undefined;
}

/** SQLite's checksum: over 32-bit words in pairs, s0 += x0 + s1, s1 += x1 + s0 (mod 2^32). */
function checksum(data: Buffer, start: number, length: number, [s0, s1]: number[], bigEndian: boolean): [number, number] {
  for (let i = start; i < start + length; i += 8) {
    const x0 = bigEndian ? data.readUInt32BE(i) : data.readUInt32LE(i);
    const x1 = bigEndian ? data.readUInt32BE(i + 4) : data.readUInt32LE(i + 4);
    s0 = (s0 + x0 + s1) >>> 0;
    s1 = (s1 + x1 + s0) >>> 0;
  }
  return [s0, s1];
}
