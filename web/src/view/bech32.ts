// Bech32 (BIP-173) decoding and the Akash address check, ported from src/common/bech32.cc so the
// payout address is verified as it is typed. The coordinator checks again (PUT
// /v1/payout-address); the messages here say the same things as its errors.
const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const GEN = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

function polymod(values: readonly number[]): number {
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = (((chk & 0x1ffffff) << 5) ^ v) >>> 0;
    for (let i = 0; i < 5; i++) {
      if ((top >>> i) & 1) chk = (chk ^ (GEN[i] ?? 0)) >>> 0;
    }
  }
  return chk;
}

function expandHrp(hrp: string): number[] {
  const out: number[] = [];
  for (const c of hrp) out.push(c.charCodeAt(0) >> 5);
  out.push(0);
  for (const c of hrp) out.push(c.charCodeAt(0) & 31);
  return out;
}

export type Decoded = { ok: true; hrp: string; data: number[] } | { ok: false; error: string };

/** Decodes a bech32 string under every BIP-173 rule; `error` says what is wrong. */
export function decodeBech32(text: string): Decoded {
  const fail = (error: string): Decoded => ({ ok: false, error });
  if (text.length > 90) return fail(`is ${text.length} characters long; a bech32 string has at most 90`);
  let lower = false;
  let upper = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 33 || c > 126) return fail(`has an invalid character at position ${i + 1} (spaces and non-ASCII are not allowed)`);
    if (c >= 97 && c <= 122) lower = true;
    if (c >= 65 && c <= 90) upper = true;
  }
  if (lower && upper) return fail('mixes upper and lower case; write it in one case');
  const sep = text.lastIndexOf('1');
  if (sep < 0) return fail("has no '1' separator between prefix and data");
  if (sep === 0) return fail("has an empty prefix before the '1'");
  if (text.length - sep - 1 < 6) return fail("is too short: the data after the '1' must hold a 6-character checksum");
  const hrp = text.slice(0, sep).toLowerCase();
  const values = expandHrp(hrp);
  for (let i = sep + 1; i < text.length; i++) {
    const ch = text.charAt(i);
    const v = CHARSET.indexOf(ch.toLowerCase());
    if (v < 0) return fail(`has '${ch}' at position ${i + 1}, which is not a bech32 data character (b, i, o and 1 are never used)`);
    values.push(v);
  }
  if (polymod(values) !== 1) {
    return fail('has a wrong checksum: it is mistyped or incomplete; copy the address again from your wallet');
  }
  return { ok: true, hrp, data: values.slice(hrp.length * 2 + 1, values.length - 6) };
}

/** Lowercase bech32 string of `hrp` and 5-bit `data` (for tests and examples). */
export function encodeBech32(hrp: string, data: readonly number[]): string {
  const values = [...expandHrp(hrp), ...data, 0, 0, 0, 0, 0, 0];
  const mod = polymod(values) ^ 1;
  let out = hrp + '1';
  for (const v of data) out += CHARSET.charAt(v & 31);
  for (let i = 0; i < 6; i++) out += CHARSET.charAt((mod >>> (5 * (5 - i))) & 31);
  return out;
}

/** Regroups bits (5 → 8 to decode); null when the padding is not zero bits of fewer than `from`. */
export function convertBits(data: readonly number[], from: number, to: number, pad: boolean): number[] | null {
  let acc = 0;
  let bits = 0;
  const out: number[] = [];
  const maxv = (1 << to) - 1;
  for (const v of data) {
    if (v >> from !== 0) return null;
    acc = ((acc << from) | v) & 0xffffff;
    bits += from;
    while (bits >= to) {
      bits -= to;
      out.push((acc >> bits) & maxv);
    }
  }
  if (pad) {
    if (bits > 0) out.push((acc << (to - bits)) & maxv);
  } else if (bits >= from || ((acc << (to - bits)) & maxv) !== 0) {
    return null;
  }
  return out;
}

/** null when `text` is a valid Akash account address, else the sentence that says why not. */
export function akashAddressError(text: string): string | null {
  const d = decodeBech32(text.trim());
  if (!d.ok) return `The address ${d.error}.`;
  if (d.hrp !== 'akash') return `The address has the prefix '${d.hrp}'; an Akash address starts with 'akash1'.`;
  const bytes = convertBits(d.data, 5, 8, false);
  if (!bytes || (bytes.length !== 20 && bytes.length !== 32)) {
    return 'The address has a valid checksum but the wrong length for an Akash account (20 or 32 bytes); check that it is a wallet address.';
  }
  return null;
}

/** What to say while the address is typed: nothing until it could be complete. */
export function addressHint(text: string): { state: 'empty' | 'typing' | 'valid' | 'invalid'; message: string } {
  const t = text.trim();
  if (t === '') return { state: 'empty', message: '' };
  const error = akashAddressError(t);
  if (!error) return { state: 'valid', message: 'Valid Akash address (checksum verified).' };
  // A beginning of "akash1..." that is still too short to hold an address is not wrong yet.
  if (t.length < 44 && ('akash1'.startsWith(t.toLowerCase()) || /^akash1[02-9ac-hj-np-z]*$/i.test(t))) {
    return { state: 'typing', message: 'An Akash address is 44 characters (akash1…).' };
  }
  return { state: 'invalid', message: error };
}
