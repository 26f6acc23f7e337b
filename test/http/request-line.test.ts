import { expect, test } from 'vitest';
import { hasToken } from '../../src/http/request-line.js';

test('hasToken: the token as the whole value or as one element of a comma-separated list, never as part of a word', () => {
  for (const list of ['close', 'te, close', 'close,te', 'te ,  close  , x']) expect([list, hasToken(list, 'close')]).toEqual([list, true]);
  for (const list of ['', 'closed', 'te', 'keep-alive', 'te, closed', 'x-close, te']) expect([list, hasToken(list, 'close')]).toEqual([list, false]);
});
