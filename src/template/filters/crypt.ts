/** SHA-512 and SHA-256 crypt (Drepper's algorithm, "$6$" / "$5$"), as passlib computes for password_hash. */
import { createHash, randomInt } from 'node:crypto';

const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

const ORDER_512: [number, number, number][] = [
  [0, 21, 42], [22, 43, 1], [44, 2, 23], [3, 24, 45], [25, 46, 4], [47, 5, 26], [6, 27, 48], [28, 49, 7], [50, 8, 29], [9, 30, 51], [31, 52, 10],
  [53, 11, 32], [12, 33, 54], [34, 55, 13], [56, 14, 35], [15, 36, 57], [37, 58, 16], [59, 17, 38], [18, 39, 60], [40, 61, 19], [62, 20, 41],
];
const ORDER_256: [number, number, number][] = [
  [0, 10, 20], [21, 1, 11], [12, 22, 2], [3, 13, 23], [24, 4, 14], [15, 25, 5], [6, 16, 26], [27, 7, 17], [18, 28, 8], [9, 19, 29],
];

function b64(b2: number, b1: number, b0: number, n: number): string {
  let w = (b2 << 16) | (b1 << 8) | b0;
  let out = '';
  for (let i = 0; i < n; i++) {
    out += ITOA64[w & 0x3f];
    w >>>= 6;
  }
  return out;
}

function repeatTo(src: Buffer, len: number): Buffer {
  const out = Buffer.alloc(len);
  for (let i = 0; i < len; i++) out[i] = src[i % src.length]!;
  return out;
}

export function randomSalt(size = 16): string {
  let s = '';
  for (let i = 0; i < size; i++) s += ITOA64[randomInt(64)];
  return s;
}

export function shaCrypt(password: string, salt: string, rounds: number | undefined, bits: 256 | 512): string {
  const alg = bits === 512 ? 'sha512' : 'sha256';
  const hlen = bits / 8;
  const P = Buffer.from(password, 'utf8');
  const S = Buffer.from(salt.slice(0, 16), 'utf8');
  const r = rounds ?? 5000;
  const h = (...parts: Buffer[]): Buffer => {
    const x = createHash(alg);
    for (const p of parts) x.update(p);
    return x.digest();
  };
  const B = h(P, S, P);
  const a = createHash(alg);
  a.update(P);
  a.update(S);
  let n = P.length;
  for (; n > hlen; n -= hlen) a.update(B);
  a.update(B.subarray(0, n));
  for (let len = P.length; len > 0; len >>= 1) a.update(len & 1 ? B : P);
  let C = a.digest();
  const dp = createHash(alg);
  for (let i = 0; i < P.length; i++) dp.update(P);
  const Pstr = repeatTo(dp.digest(), P.length);
  const ds = createHash(alg);
  for (let i = 0; i < 16 + C[0]!; i++) ds.update(S);
  const Sstr = repeatTo(ds.digest(), S.length);
  for (let i = 0; i < r; i++) {
    const c = createHash(alg);
    c.update(i & 1 ? Pstr : C);
    if (i % 3) c.update(Sstr);
    if (i % 7) c.update(Pstr);
    c.update(i & 1 ? C : Pstr);
    C = c.digest();
  }
  let enc = '';
  if (bits === 512) {
    for (const [x, y, z] of ORDER_512) enc += b64(C[x]!, C[y]!, C[z]!, 4);
    enc += b64(0, 0, C[63]!, 2);
  } else {
    for (const [x, y, z] of ORDER_256) enc += b64(C[x]!, C[y]!, C[z]!, 4);
    enc += b64(0, C[31]!, C[30]!, 3);
  }
  const prefix = bits === 512 ? '$6$' : '$5$';
  return `${prefix}${rounds === undefined ? '' : `rounds=${rounds}$`}${S.toString('utf8')}$${enc}`;
}
