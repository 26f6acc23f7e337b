import { describe, expect, it } from 'vitest';
import { type LiveLinks, LiveList } from '../../src/socketserver/live-list.js';

interface Node extends LiveLinks {
  readonly name: string;
}
const node = (name: string): Node => ({ name, livePrev: null, liveNext: null, listed: false });
const names = (it: Iterator<Node>): string[] => {
  const out: string[] = [];
  for (let r = it.next(); r.done !== true; r = it.next()) out.push(r.value.name);
  return out;
};

describe('LiveList', () => {
  it('adds at the front, deletes anywhere, counts, and ignores a repeat', () => {
    const list = new LiveList<Node>();
    const [a, b, c] = [node('a'), node('b'), node('c')];
    list.add(a);
    list.add(b);
    list.add(c);
    list.add(b);
    expect(list.size).toBe(3);
    expect(names(list.values())).toEqual(['c', 'b', 'a']);
    list.delete(b);
    list.delete(b);
    expect(list.size).toBe(2);
    expect(names(list.values())).toEqual(['c', 'a']);
    list.delete(c);
    list.delete(a);
    expect(list.size).toBe(0);
    expect(names(list.values())).toEqual([]);
  });

  it('clears the links of a node that leaves, so a dead connection points to none', () => {
    const list = new LiveList<Node>();
    const [a, b, c] = [node('a'), node('b'), node('c')];
    for (const n of [a, b, c]) list.add(n);
    list.delete(b);
    expect([b.livePrev, b.liveNext, b.listed]).toEqual([null, null, false]);
    expect([c.liveNext, a.livePrev]).toEqual([a, c]);
  });

  it('keeps an iterator going when the node it was to visit next leaves, and after', () => {
    const list = new LiveList<Node>();
    const all = ['a', 'b', 'c', 'd', 'e'].map(node);
    for (const n of all) list.add(n); // order: e d c b a
    const [a, b, c, d] = all as [Node, Node, Node, Node, Node];
    const it = list.values();
    expect(it.next().value?.name).toBe('e');
    list.delete(d); // the next one
    list.delete(b); // one further on
    expect(it.next().value?.name).toBe('c');
    list.delete(c); // the one just visited
    list.delete(a); // the last
    expect(it.next().done).toBe(true);
    // Two iterators at once (a sweep and a drain), each moved past what leaves.
    const list2 = new LiveList<Node>();
    const more = ['p', 'q', 'r'].map(node);
    for (const n of more) list2.add(n); // r q p
    const one = list2.values();
    const two = list2.values();
    expect(one.next().value?.name).toBe('r');
    list2.delete(more[1]!);
    expect(names(one)).toEqual(['p']);
    expect(names(two)).toEqual(['r', 'p']);
  });
});
