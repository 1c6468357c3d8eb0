export const leadCount = (what: string, got: number, expected: number) =>
  `${what} has ${got} leads; the challenge metrics need ${expected} (one per lead, in LEADS order)`;

export const badSamplingRate = (what: string, value: number) =>
  `${what} = ${value} is not a sampling rate: give a positive, finite number of Hz`;

export const lengthMismatch = (what: string, a: number, b: number) =>
  `${what}: ${a} reference rows but ${b} predicted rows; give one row per record, in the same order`;

export const unknownClass = (label: string, where: string, classes: readonly string[]) =>
  `'${label}' (${where}) is not a challenge class; classes are (case-sensitive): ${classes.join(', ')}`;

export const badVectorWidth = (where: string, got: number, expected: number) =>
  `${where} has ${got} entries; a label or probability vector has ${expected}, one per class in CHALLENGE_CLASSES order`;

export const notBinary = (where: string, value: number) =>
  `${where} = ${value}; a label vector holds only 0 or 1`;

export const notFinite = (where: string, value: number) => `${where} = ${value}; probabilities must be finite numbers`;

export const badSegment = (what: string, detail: string) => `${what}: ${detail}`;
