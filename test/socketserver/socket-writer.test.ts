import type { Socket } from 'node:net';
import { describe, expect, test } from 'vitest';
import { SocketWriter } from '../../src/index.js';

/** A stand-in socket that records each write as the bytes it carried (copied at once) and its kind. */
function recordingSocket(): { socket: Socket; writes: Array<{ kind: 'string' | 'bytes'; data: Buffer; corked: boolean }>; held: Uint8Array[] } {
  const writes: Array<{ kind: 'string' | 'bytes'; data: Buffer; corked: boolean }> = [];
  const held: Uint8Array[] = [];
  let corked = 0;
  const socket = {
    destroyed: false,
    writable: true,
    cork: () => corked++,
    uncork: () => corked--,
    write: (chunk: string | Uint8Array, encoding?: BufferEncoding) => {
      if (typeof chunk === 'string') writes.push({ kind: 'string', data: Buffer.from(chunk, encoding ?? 'utf8'), corked: corked > 0 });
      else {
        held.push(chunk); // what the socket would still point to if the kernel took it later
        writes.push({ kind: 'bytes', data: Buffer.from(chunk), corked: corked > 0 });
      }
      return true;
    },
  };
  return { socket: socket as unknown as Socket, writes, held };
}

const HEAD = 'HTTP/1.1 200 OK\r\nServer: test\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\n';
const BODY = Buffer.from('Hello, World!');

describe('SocketWriter', () => {
  test('a head given as pieces: joined as text in a text batch, copied or encoded into a bytes batch, every byte counted', () => {
    const piece = (t: string): { bytes: Uint8Array } => ({ bytes: Buffer.from(t, 'latin1') });
    const texts = ['HTTP/1.1 200 OK\r\n', 'X-Id: caf\u00e9-1\r\n', 'Content-Length: 13\r\n\r\n'];
    const pieces = [piece(texts[0]!), null, piece(texts[2]!)];
    const head = texts.join('');
    // One response: stays text.
    const one = recordingSocket();
    const w1 = new SocketWriter(one.socket);
    w1.writeHead(texts, pieces, 3, head.length);
    w1.write(BODY);
    w1.flush();
    expect(one.writes).toEqual([{ kind: 'string', data: Buffer.concat([Buffer.from(head, 'latin1'), BODY]), corked: false }]);
    expect([w1.written, w1.pending]).toEqual([head.length + 13, 0]);
    // A batch already past 1 KiB: bytes, the head's pieces copied or encoded in order.
    const many = recordingSocket();
    const w2 = new SocketWriter(many.socket);
    const filler = 'x'.repeat(1100);
    w2.writeLatin1(filler);
    w2.writeHead(texts, pieces, 3, head.length);
    w2.write(BODY);
    w2.writeHead(texts, pieces, 3, head.length);
    expect([w2.written, w2.pending]).toEqual([filler.length + 2 * head.length + 13, filler.length + 2 * head.length + 13]);
    w2.flush();
    expect(many.writes).toEqual([{ kind: 'bytes', data: Buffer.from(filler + head + 'Hello, World!' + head, 'latin1'), corked: false }]);
  });

  test('one response stays one latin-1 string write', () => {
    const { socket, writes } = recordingSocket();
    const w = new SocketWriter(socket);
    w.writeLatin1(HEAD);
    w.write(BODY);
    w.flush();
    expect(writes).toEqual([{ kind: 'string', data: Buffer.concat([Buffer.from(HEAD), BODY]), corked: false }]);
    expect([w.written, w.flushed, w.pending]).toEqual([HEAD.length + 13, HEAD.length + 13, 0]);
  });

  test('a batch past 1 KiB becomes bytes: one write of exactly what was written, in order, UTF-8 included', () => {
    const { socket, writes } = recordingSocket();
    const w = new SocketWriter(socket);
    const expected: Buffer[] = [];
    for (let i = 0; i < 16; i++) {
      w.writeLatin1(HEAD);
      w.write(i % 2 === 0 ? BODY : new Uint8Array(BODY));
      w.write(`é${i}`); // not ASCII: UTF-8
      expected.push(Buffer.from(HEAD), BODY, Buffer.from(`é${i}`, 'utf8'));
    }
    w.flush();
    expect(writes).toHaveLength(1);
    expect(writes[0]!.kind).toBe('bytes');
    expect(writes[0]!.data.equals(Buffer.concat(expected))).toBe(true);
    expect(w.written).toBe(Buffer.concat(expected).length);
  });

  test('a typed array other than Uint8Array, or a DataView, is written as its bytes', () => {
    const { socket, writes } = recordingSocket();
    const w = new SocketWriter(socket);
    const wide = new Uint16Array([0x4241, 0x4443]); // 'AB', 'CD' in little-endian memory
    const view = new DataView(new Uint8Array([0x78, 0x45, 0x46, 0x78]).buffer, 1, 2);
    w.write(wide as unknown as Uint8Array);
    w.write(view as unknown as Uint8Array);
    w.flush();
    expect(Buffer.concat(writes.map((x) => x.data)).toString('latin1')).toBe('ABCDEF');
    expect(w.written).toBe(6);
  });

  test('so is one written once the batch is bytes, and one large enough to go out as a part of its own', () => {
    const { socket, writes } = recordingSocket();
    const w = new SocketWriter(socket);
    const expected: Buffer[] = [];
    for (let i = 0; i < 16; i++) {
      w.writeLatin1(HEAD); // past 1 KiB: the batch becomes bytes
      expected.push(Buffer.from(HEAD));
    }
    const wide = new Uint16Array([0x4241, 0x4443]);
    const view = new DataView(new Uint8Array([0x78, 0x45, 0x46, 0x78]).buffer, 1, 2);
    const large = new Uint16Array(3000).fill(0x4847); // 6000 bytes of 'GH'
    w.write(wide as unknown as Uint8Array);
    w.write(view as unknown as Uint8Array);
    w.write(large as unknown as Uint8Array);
    w.writeLatin1('end');
    expected.push(Buffer.from('ABCDEF'), Buffer.from('GH'.repeat(3000)), Buffer.from('end'));
    w.flush();
    expect(Buffer.concat(writes.map((x) => x.data)).equals(Buffer.concat(expected))).toBe(true);
    expect(w.written).toBe(Buffer.concat(expected).length);
  });

  test('a large body between small pieces keeps its place (cork, then the pieces in order)', () => {
    const { socket, writes } = recordingSocket();
    const w = new SocketWriter(socket);
    const big = Buffer.alloc(10_000, 0x61);
    const head2 = `${HEAD}${'x'.repeat(1100)}`; // past 1 KiB: bytes
    w.writeLatin1(head2);
    w.write(big);
    w.writeLatin1(HEAD);
    w.flush();
    expect(writes.map((x) => [x.kind, x.corked])).toEqual([
      ['bytes', true],
      ['bytes', true],
      ['string', true],
    ]);
    expect(Buffer.concat(writes.map((x) => x.data)).equals(Buffer.concat([Buffer.from(head2), big, Buffer.from(HEAD)]))).toBe(true);
  });

  test('discardSince cuts a failed response from the end of the bytes, keeping the earlier responses', () => {
    const { socket, writes } = recordingSocket();
    const w = new SocketWriter(socket);
    for (let i = 0; i < 12; i++) {
      w.writeLatin1(HEAD);
      w.write(BODY);
    }
    const mark = w.written;
    w.writeLatin1('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n');
    w.write('hal');
    expect(w.discardSince(mark)).toBe(true);
    w.writeLatin1('HTTP/1.1 500 Internal Server Error\r\n\r\n');
    w.flush();
    const expected = Buffer.concat([
      ...Array.from({ length: 12 }, () => Buffer.concat([Buffer.from(HEAD), BODY])),
      Buffer.from('HTTP/1.1 500 Internal Server Error\r\n\r\n'),
    ]);
    expect(Buffer.concat(writes.map((x) => x.data)).equals(expected)).toBe(true);
  });

  test('the bytes handed to the socket are never written over by the next batch', () => {
    const { socket, held } = recordingSocket();
    const w = new SocketWriter(socket);
    const batch = (c: string): void => {
      for (let i = 0; i < 20; i++) w.writeLatin1(`${c.repeat(80)}\r\n`);
      w.flush();
    };
    batch('a');
    const first = Buffer.from(held[0]!);
    batch('b');
    batch('c');
    expect(Buffer.from(held[0]!).equals(first)).toBe(true);
    expect(held.map((h) => String.fromCharCode(h[0]!))).toEqual(['a', 'b', 'c']);
  });

  test('a batch that outgrows its buffer twice, then one 70 KiB write: every byte, in order', () => {
    const { socket, writes } = recordingSocket();
    const w = new SocketWriter(socket);
    const expected: Buffer[] = [];
    for (let i = 0; i < 40; i++) {
      const head = `${HEAD}X-N: ${i}\r\n\r\n`;
      w.writeLatin1(head);
      w.write(BODY);
      expected.push(Buffer.from(head), BODY);
    }
    const big = 'z'.repeat(70_000); // past 64 KiB pending: flushed at once
    w.write(big);
    expected.push(Buffer.from(big));
    expect(w.pending).toBe(0);
    expect(Buffer.concat(writes.map((x) => x.data)).equals(Buffer.concat(expected))).toBe(true);
  });

  test('discardSince cuts through the bytes into a large part before them; a destroyed socket drops what is pending', () => {
    const { socket, writes } = recordingSocket();
    const w = new SocketWriter(socket);
    w.writeLatin1(`${HEAD}${'a'.repeat(1100)}`); // bytes
    const mark = w.written;
    w.write(Buffer.alloc(5000, 0x62)); // a large part: the bytes before it move aside
    w.writeLatin1('c'.repeat(1200)); // bytes again
    expect(w.discardSince(mark + 4000)).toBe(true); // 1000 of the part's 5000 and all 1200 c's go
    w.flush();
    const sent = Buffer.concat(writes.map((x) => x.data)).toString('latin1');
    expect(sent).toBe(`${HEAD}${'a'.repeat(1100)}${'b'.repeat(4000)}`);
    w.writeLatin1('d'.repeat(2000));
    (socket as unknown as { destroyed: boolean }).destroyed = true;
    w.flush();
    expect(writes).toHaveLength(2);
    expect(w.pending).toBe(0);
  });
});
