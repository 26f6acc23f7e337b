/** Types for fuzz-engine.mjs (see there). */
export declare const SEEDS: readonly string[];
export declare const PIPELINE_SEEDS: readonly string[];
export type Rand = () => number;
export declare const MUTATIONS: Readonly<Record<string, (rand: Rand, b: Buffer) => Buffer>>;
export declare function prng(seed: number): Rand;
export declare function mutate(rand: Rand, input: Buffer): Buffer;
export declare function split(rand: Rand, b: Buffer): Buffer[];
export declare function makeCase(rand: Rand): Buffer[];
export interface ExchangeResult {
  readonly ending: 'close' | 'reset' | 'timeout';
  readonly bytes: number;
  /** First 16 bytes received. */
  readonly head: string;
  readonly ms: number;
  readonly error: string | null;
}
export declare function exchange(port: number, writes: readonly Buffer[], timeoutMs?: number, host?: string): Promise<ExchangeResult>;
export declare function firstAnswer(head: string): string;
export interface FuzzSummary {
  cases: number;
  closed: number;
  reset: number;
  timeout: number;
  bytesSent: number;
  bytesReceived: number;
  maxMs: number;
  /** Count of cases by the start of their answer: status code, 'bare', or 'none'. */
  firstAnswer: Record<string, number>;
  timeouts: Array<{ index: number; input: string }>;
}
export declare function fuzz(options: {
  port: number;
  seed: number;
  count: number;
  concurrency?: number;
  timeoutMs?: number;
  onCase?: (index: number, writes: Buffer[], result: ExchangeResult) => void;
}): Promise<FuzzSummary>;
