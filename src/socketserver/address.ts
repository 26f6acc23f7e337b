/** A socket address as in Python: `(host, port)`. */
export type Address = readonly [host: string, port: number];
