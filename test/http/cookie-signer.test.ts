/**
 * The cookie signer against Keygrip, the reference it replaces: the same signatures, so cookies
 * signed before an upgrade (or by another instance during a rolling one) still verify, and the
 * same answers for rotated keys and for anything that is not a signature of ours.
 */
import { randomBytes } from 'node:crypto';
import Keygrip from 'keygrip';
import { describe, expect, it } from 'vitest';
import { createCookieSigner } from '../../src/http/cookie-signer.js';

const key = () => randomBytes(33).toString('base64');
const cookieData = () => `_session=${randomBytes(1 + Math.floor(Math.random() * 40)).toString('base64url')}`;

describe('cookie signer', () => {
  it('signs exactly as Keygrip does, and each verifies the other', () => {
    for (let i = 0; i < 500; i++) {
      const keys = [key(), key()];
      const data = cookieData();
      const ours = createCookieSigner(keys);
      const reference = Keygrip(keys);
      expect(ours.sign(data)).toBe(reference.sign(data));
      expect(ours.index(data, reference.sign(data))).toBe(0);
      expect(reference.index(data, ours.sign(data))).toBe(0);
    }
  });

  it('finds the index of a rotated-out key, as Cookies expects to re-sign with the current one', () => {
    const [current, previous, older] = [key(), key(), key()];
    const data = cookieData();
    const signer = createCookieSigner([current, previous, older]);
    expect(signer.index(data, Keygrip([older]).sign(data))).toBe(2);
    expect(signer.index(data, Keygrip([previous]).sign(data))).toBe(1);
    expect(signer.verify(data, Keygrip([older]).sign(data))).toBe(true);
    expect(createCookieSigner([current]).verify(data, Keygrip([older]).sign(data))).toBe(false);
  });

  it('refuses what is not the signature of this data with one of its keys', () => {
    const signer = createCookieSigner([key()]);
    const data = cookieData();
    const good = signer.sign(data);
    const flipped = `${good.slice(0, 5)}${good[5] === 'A' ? 'B' : 'A'}${good.slice(6)}`;
    for (const digest of [
      '',
      'x',
      good.slice(0, -1),
      `${good}A`,
      `${good}=`,
      flipped,
      ` ${good}`,
      good.replace(/-/g, '+').replace(/_/g, '/'),
    ]) {
      if (digest === good) continue;
      expect(signer.verify(data, digest), digest).toBe(false);
      expect(signer.index(data, digest)).toBe(-1);
    }
    expect(signer.verify(`${data}x`, good)).toBe(false);
  });

  it('needs a key', () => {
    expect(() => createCookieSigner([])).toThrow(/cookie key/);
  });
});
