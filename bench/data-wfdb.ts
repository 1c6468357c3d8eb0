/**
 * Records per second of the WFDB reader on the real records in ../shared/data
 * (PTB-XL 100 Hz format 16; Challenge 500 Hz format 16), and of the writer.
 * Run: node --import tsx bench/data-wfdb.ts [rounds]
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readWfdbRecord } from '../src/data/wfdb.js';
import { wfdbToEcgRecord, ecgRecordToWfdb } from '../src/data/wfdb-ecg.js';
import { writeWfdbRecord } from '../src/data/wfdb.js';
import { findHeaders } from '../src/data/wfdb-folder.js';

const data = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'shared', 'data');
const rounds = Number(process.argv[2] ?? 5);
if (!existsSync(data)) {
  console.log(`skipped: ${data} is absent`);
} else {
  for (const [label, folder] of [['PTB-XL 100 Hz', 'ptb-xl/records100'], ['Challenge 500 Hz', 'challenge-2021']] as const) {
    const headers = await findHeaders(join(data, folder));
    const start = performance.now();
    let samples = 0;
    for (let r = 0; r < rounds; r++) {
      for (const header of headers) {
        const record = await readWfdbRecord(header);
        samples += record.nSamples * record.header.signals.length;
      }
    }
    const s = (performance.now() - start) / 1000;
    const n = headers.length * rounds;
    console.log(`reader ${label}: ${(n / s).toFixed(0)} records/s (${n} reads, ${(samples / s / 1e6).toFixed(1)} M samples/s)`);
  }
  const headers = await findHeaders(join(data, 'ptb-xl/records100'));
  const records = await Promise.all(headers.map(async (h) => wfdbToEcgRecord(await readWfdbRecord(h))));
  const out = await mkdtemp(join(tmpdir(), 'bench-wfdb-'));
  const start = performance.now();
  for (const record of records) await writeWfdbRecord(out, ecgRecordToWfdb(record));
  const s = (performance.now() - start) / 1000;
  console.log(`writer PTB-XL 100 Hz (format 16, atomic writes): ${(records.length / s).toFixed(0)} records/s`);
  await rm(out, { recursive: true, force: true });
}
