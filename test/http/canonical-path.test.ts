import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ABOVE_ROOT, BAD_ESCAPE, canonicalize, pathOfTarget } from '../../src/http/canonical-path.js';
import { canonicalPath } from '../../src/index.js';

describe('canonicalize (RFC 3986 §6.2.2 and §5.2.4)', () => {
  it.each([
    ['/', '/'],
    ['/users/42', '/users/42'],
    ['/users/', '/users/'],
    ['//admin', '/admin'],
    ['///a////b//', '/a/b/'],
    ['/./admin', '/admin'],
    ['/a/./b/.', '/a/b/'],
    ['/x/../admin', '/admin'],
    ['/a/b/..', '/a/'],
    ['/a/..', '/'],
    ['/.', '/'],
    ['/a//../b', '/b'], // slashes collapsed first, then dot segments
    ['/%2e%2E/', ABOVE_ROOT],
    ['/x/%2e%2e/admin', '/admin'],
    ['/x/.%2e/admin', '/admin'],
    ['/%61dmin', '/admin'],
    ['/%7Euser/%2D%5F', '/~user/-_'],
    ['/a%2fb', '/a%2Fb'], // %2F is data: upper-cased, never a separator
    ['/a%2F..%2Fb', '/a%2F..%2Fb'],
    ['/a%20b%c3%a9', '/a%20b%C3%A9'],
    ['/..', ABOVE_ROOT],
    ['/../a', ABOVE_ROOT],
    ['/a/../..', ABOVE_ROOT],
    ['//..', ABOVE_ROOT],
    ['/a%', BAD_ESCAPE],
    ['/a%2', BAD_ESCAPE],
    ['/a%zz', BAD_ESCAPE],
    ['/.well-known/x', '/.well-known/x'],
    ['/a/..b/.c', '/a/..b/.c'],
  ])('%s → %s', (input, want) => {
    expect(canonicalize(input)).toBe(want);
  });

  it('returns the very string when it is already canonical', () => {
    const s = '/users/42/posts';
    expect(canonicalize(s)).toBe(s);
  });

  it('is idempotent and never leaves a dot segment, an empty segment or an unreserved escape', () => {
    const segment = fc.oneof(
      fc.constantFrom('', '.', '..', '%2e', '%2E%2e', 'a', 'admin', '%61', '%2F', '%2f', '~', '%7e', '-x'),
      fc.stringMatching(/^[a-z0-9._~%-]{0,4}$/),
    );
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 8 }), (segments) => {
        const c = canonicalize(`/${segments.join('/')}`);
        if (typeof c !== 'string') return;
        expect(canonicalize(c)).toBe(c);
        const inner = c.slice(1, c.endsWith('/') ? -1 : undefined).split('/');
        if (c !== '/') for (const s of inner) expect(['', '.', '..']).not.toContain(s);
        expect(c).not.toMatch(/%(?:[46][1-9A-F]|[57][0-9A]|3[0-9]|2D|2E|5F|7E)/i);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('canonicalPath and pathOfTarget', () => {
  it('removes the query and reads the path of an absolute-form target', () => {
    expect(canonicalPath('/a/../b?x=/../y')).toBe('/b');
    expect(canonicalPath('http://example.com//admin?q')).toBe('/admin');
    expect(canonicalPath('http://example.com')).toBe('/');
    expect(canonicalPath('*')).toBe('*');
    expect(canonicalPath('/../etc/passwd')).toBeNull();
    expect(canonicalPath('/%zz')).toBeNull();
    expect(canonicalPath('example.com:443')).toBeNull();
    expect(pathOfTarget('/p?q')).toBe('/p');
  });
});
