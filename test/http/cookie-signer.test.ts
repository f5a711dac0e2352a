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

  it('answers the same for a cookie it has signed or checked before', () => {
    const [current, previous] = [key(), key()];
    const signer = createCookieSigner([current, previous]);
    const data = cookieData();
    const byPrevious = Keygrip([previous]).sign(data);
    const good = Keygrip([current]).sign(data);
    const flipped = `${good.slice(0, 5)}${good[5] === 'A' ? 'B' : 'A'}${good.slice(6)}`;
    for (let round = 0; round < 3; round++) {
      // Remembered as signed by the older key: still that key's index, and signing it again
      // gives the current key's signature, not the remembered one.
      expect(signer.index(data, byPrevious)).toBe(1);
      expect(signer.sign(data)).toBe(good);
      expect(signer.index(data, good)).toBe(0);
      expect(signer.index(data, byPrevious)).toBe(1);
      expect(signer.verify(data, flipped)).toBe(false);
      expect(signer.verify(`${data}x`, good)).toBe(false);
    }
  });

  it('stays right when more cookies pass than it remembers', () => {
    const keys = [key()];
    const signer = createCookieSigner(keys);
    const reference = Keygrip(keys);
    const seen = Array.from({ length: 5000 }, () => cookieData());
    for (const data of seen) expect(signer.sign(data)).toBe(reference.sign(data));
    for (const data of seen) expect(signer.index(data, reference.sign(data))).toBe(0);
    const long = `_session=${'a'.repeat(1000)}`;
    expect(signer.index(long, reference.sign(long))).toBe(0);
    expect(signer.index(long, reference.sign(`${long}b`))).toBe(-1);
  });

  it('needs a key', () => {
    expect(() => createCookieSigner([])).toThrow(/cookie key/);
  });
});
