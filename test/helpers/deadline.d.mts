/** Types for deadline.mjs (see there). */
export declare function setDeadline(fn: () => void, ms: number): () => void;
