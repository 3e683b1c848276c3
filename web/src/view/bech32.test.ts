import { describe, expect, it } from 'vitest';
import { addressHint, akashAddressError, convertBits, decodeBech32, encodeBech32 } from './bech32';

// BIP-173 "Test vectors" (the same as src/common/bech32_test.cc).
const VALID = [
  'A12UEL5L',
  'a12uel5l',
  'an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs',
  'abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw',
  '11' + 'q'.repeat(82) + 'c8247j',
  'split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w',
  '?1ezyfcl',
];
const INVALID: [string, RegExp][] = [
  ['\x201nwldj5', /invalid character at position 1/],
  ['\x7f1axkwrx', /invalid character at position 1/],
  ['\x801eym55h', /invalid character at position 1/],
  ['an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx', /at most 90/],
  ['pzry9x0s0muk', /no '1' separator/],
  ['1pzry9x0s0muk', /empty prefix/],
  ['x1b4n0q5v', /'b' at position 3/],
  ['li1dgmt3', /too short/],
  ['de1lg7wt\xff', /invalid character at position 9/],
  ['A1G7SGD8', /wrong checksum/],
  ['10a06t8', /empty prefix/],
  ['1qzzfhee', /empty prefix/],
];
const AKASH = 'akash1w508d6qejxtdg4y5r3zarvary0c5xw7khx6akz';

describe('decodeBech32 (BIP-173 vectors)', () => {
  it.each(VALID)('accepts %s', (s) => {
    const d = decodeBech32(s);
    expect(d.ok).toBe(true);
    if (d.ok) expect(d.hrp).toBe(s.slice(0, s.lastIndexOf('1')).toLowerCase());
  });
  it.each(INVALID)('refuses %j', (s, why) => {
    const d = decodeBech32(s);
    expect(d.ok).toBe(false);
    if (!d.ok) expect(d.error).toMatch(why);
  });
  it('refuses mixed case', () => {
    const d = decodeBech32('a12UEL5L');
    expect(d.ok).toBe(false);
    if (!d.ok) expect(d.error).toMatch(/mixes upper and lower case/);
  });
  it('returns the 5-bit data without the checksum', () => {
    const d = decodeBech32('abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw');
    expect(d.ok && d.data).toEqual([...Array(32).keys()]);
  });
});

describe('encodeBech32', () => {
  it('re-encodes every valid vector to its lowercase form', () => {
    for (const s of VALID) {
      const d = decodeBech32(s);
      expect(d.ok).toBe(true);
      if (d.ok) expect(encodeBech32(d.hrp, d.data)).toBe(s.toLowerCase());
    }
  });
});

describe('convertBits', () => {
  it('round-trips bytes and refuses bad padding', () => {
    const bytes = [0, 1, 2, 254, 255, 128, 7];
    const five = convertBits(bytes, 8, 5, true);
    expect(five).not.toBeNull();
    expect(convertBits(five ?? [], 5, 8, false)).toEqual(bytes);
    expect(convertBits([31], 5, 8, false)).toBeNull();
    expect(convertBits([32], 5, 8, true)).toBeNull();
  });
});

describe('akashAddressError', () => {
  it('accepts account and 32-byte addresses in either case', () => {
    expect(akashAddressError(AKASH)).toBeNull();
    expect(akashAddressError(AKASH.toUpperCase())).toBeNull();
    expect(akashAddressError('akash1qqqsyqcyq5rqwzqfpg9scrgwpugpzysnzs23v9ccrydpk8qarc0smz7g5x')).toBeNull();
    expect(akashAddressError(`  ${AKASH} `)).toBeNull();
  });
  it('names what is wrong', () => {
    expect(akashAddressError(AKASH.slice(0, -1) + 'q')).toMatch(/wrong checksum/);
    expect(akashAddressError('cosmos1w508d6qejxtdg4y5r3zarvary0c5xw7k6ah60c')).toMatch(/starts with 'akash1'/);
    const tenBytes = encodeBech32('akash', convertBits(Array(10).fill(7), 8, 5, true) ?? []);
    expect(decodeBech32(tenBytes).ok).toBe(true);
    expect(akashAddressError(tenBytes)).toMatch(/wrong length/);
    expect(akashAddressError('akash1W508d6qejxtdg4y5r3zarvary0c5xw7khx6akz')).toMatch(/mixes/);
    expect(akashAddressError('')).toMatch(/separator/);
  });
});

describe('addressHint (as you type)', () => {
  it('waits while an address is being typed', () => {
    expect(addressHint('').state).toBe('empty');
    expect(addressHint('ak').state).toBe('typing');
    expect(addressHint('akash1w508d6').state).toBe('typing');
  });
  it('says valid or invalid once it could be complete', () => {
    expect(addressHint(AKASH).state).toBe('valid');
    const bad = addressHint(AKASH.slice(0, -1) + 'q');
    expect(bad.state).toBe('invalid');
    expect(bad.message).toMatch(/checksum/);
    expect(addressHint('cosmos1w508d6qejxtdg4y5r3zarvary0c5xw7k6ah60c').state).toBe('invalid');
    expect(addressHint('akash1b').state).toBe('invalid'); // b is never a data character
  });
});
