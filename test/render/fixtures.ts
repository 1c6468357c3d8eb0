/**
 * Test recordings built here, not by src/data (tests stay independent of the
 * data folder): PTB-XL 00001_lr read directly (format 16, 12 interleaved
 * int16 little-endian, gain 1000/mV) and a synthetic beat train.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LEADS, type EcgRecord } from '../../src/core/ecg.js';
import { SHARED_DATA } from '../data/shared-data.js';

export const PTBXL_00001 = join(SHARED_DATA, 'ptb-xl/records100/00000/00001_lr.dat');

export function readPtbxl00001(): EcgRecord {
  const bytes = readFileSync(PTBXL_00001);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes.byteLength / 2 / LEADS.length;
  const signals = LEADS.map(() => new Float32Array(n));
  for (let i = 0; i < n; i++) {
    for (let l = 0; l < LEADS.length; l++) (signals[l] as Float32Array)[i] = view.getInt16((i * LEADS.length + l) * 2, true) / 1000;
  }
  return { name: '00001_lr', fsHz: 100, signals, labels: ['NORM'] };
}

/** Gaussian beats (P, QRS, T) at 72 bpm, a different amplitude per lead; 10 s. */
export function syntheticRecord(name = 'syn-test', fsHz = 100): EcgRecord {
  const n = fsHz * 10;
  const signals = LEADS.map((_, l) => {
    const s = new Float32Array(n);
    const gain = 0.4 + 0.1 * l;
    const sign = l === 3 ? -1 : 1;
    for (let i = 0; i < n; i++) {
      const t = i / fsHz;
      let v = 0;
      for (let b = 0.3; b < 10.5; b += 60 / 72) {
        v += 0.12 * Math.exp(-(((t - b + 0.18) / 0.03) ** 2));
        v += gain * 2 * Math.exp(-(((t - b) / 0.012) ** 2));
        v += -0.2 * Math.exp(-(((t - b - 0.03) / 0.01) ** 2));
        v += 0.25 * Math.exp(-(((t - b - 0.3) / 0.05) ** 2));
      }
      s[i] = sign * v;
    }
    return s;
  });
  return { name, fsHz, signals, labels: ['NORM'] };
}

export const here = (url: string) => fileURLToPath(new URL('.', url));
