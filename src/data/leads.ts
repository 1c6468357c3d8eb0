/**
 * Lead names as headers spell them (`AVR`, `avl`, `v1`) mapped onto LEADS.
 */
import { LEADS, type Lead } from '../core/ecg.js';

const BY_LOWER = new Map<string, Lead>(LEADS.map((lead) => [lead.toLowerCase(), lead]));

/** The standard lead a header's description names, case-insensitively; undefined if none. */
export function standardLead(description: string): Lead | undefined {
  return BY_LOWER.get(description.trim().toLowerCase());
}

/**
 * For each of LEADS, the index of the signal that carries it, or undefined
 * when some lead is missing or named twice.
 */
export function standardLeadOrder(descriptions: readonly string[]): number[] | undefined {
  const order = LEADS.map(() => -1);
  for (const [i, description] of descriptions.entries()) {
    const lead = standardLead(description);
    if (lead === undefined) continue;
    const slot = LEADS.indexOf(lead);
    if (order[slot] !== -1) return undefined;
    order[slot] = i;
  }
  return order.includes(-1) ? undefined : order;
}
