/** A socket address as in Python: `(host, port)`. */
export type Address = readonly [host: string, port: number];

/** Python's `str(tuple)` of an address, as CPython prints it in tracebacks: `('127.0.0.1', 5000)`. */
export function formatAddress(address: Address): string {
  return `('${address[0]}', ${address[1]})`;
}
