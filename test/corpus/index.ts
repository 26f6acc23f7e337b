import type { CorpusCase } from './types.js';
import { cases as clTe } from './cl-te.js';
import { cases as contentLength } from './content-length.js';
import { cases as transferEncoding } from './transfer-encoding.js';
import { cases as chunked } from './chunked.js';
import { cases as lineEndings } from './line-endings.js';
import { cases as controlBytes } from './control-bytes.js';
import { cases as whitespace } from './whitespace.js';
import { cases as requestTarget } from './request-target.js';
import { cases as host } from './host.js';
import { cases as version } from './version.js';
import { cases as limits } from './limits.js';
import { cases as upgrade } from './upgrade.js';

export { SMUGGLED } from './types.js';
export type { CorpusCase, Expectation, ServedOutcome } from './types.js';

/** Every corpus case, by family. */
export const families: Readonly<Record<string, readonly CorpusCase[]>> = {
  'cl-te': clTe,
  'content-length': contentLength,
  'transfer-encoding': transferEncoding,
  chunked,
  'line-endings': lineEndings,
  'control-bytes': controlBytes,
  whitespace,
  'request-target': requestTarget,
  host,
  version,
  limits,
  upgrade,
};

export const allCases: readonly CorpusCase[] = Object.values(families).flat();
