import { expect } from 'chai';
import * as crypto from 'node:crypto';
import { canonicalJson } from '../../src/ledger/canonical';
import type { Checkpoint } from '../../src/ledger/checkpoint';
import { CheckpointSigner } from '../../src/ledger/checkpoint';
import type { LedgerRecord } from '../../src/ledger/entry';
import { canonicalForm, GENESIS_HASH, sealRecord, sha256Hex } from '../../src/ledger/entry';
import { KeyRing } from '../../src/ledger/keyring';
import type { VerifyOptions } from '../../src/ledger/verify';
import { LedgerVerifier, verifyRecords } from '../../src/ledger/verify';

/** Verifies records pushed page by page. */
function chunked(records: LedgerRecord[], o: VerifyOptions, size: number) {
  const v = new LedgerVerifier(o);
  for (let i = 0; i < records.length; i += size) {
    const r = v.push(records.slice(i, i + size));
    if (r) return r;
  }
  return v.finish();
}

const TENANT = '3f1c2a9e-6d0b-4c47-9a55-0e8f3b1d2c7a';
const secretKey = () => crypto.createSecretKey(crypto.randomBytes(32));
const ring = new KeyRing('k1', new Map([['k1', secretKey()]]));
const signer = new CheckpointSigner(crypto.generateKeyPairSync('ed25519').privateKey);
const otherSigner = new CheckpointSigner(crypto.generateKeyPairSync('ed25519').privateKey);

/** A valid chain of n entries signed with the ring's active key. */
function build(n: number, opts: { from?: LedgerRecord[]; tag?: string } = {}): LedgerRecord[] {
  const out: LedgerRecord[] = [...(opts.from ?? [])];
  while (out.length < n) {
    const seq = out.length + 1;
    out.push(
      sealRecord(
        {
          tenantId: TENANT,
          sequence: seq,
          timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
          eventType: 'system.registered',
          actorSubject: 'user-1',
          actorRole: 'dev',
          requestId: `req-${opts.tag ?? ''}${seq}`,
          payload: canonicalJson({ system_id: `sys-${opts.tag ?? ''}${seq}`, n: seq }),
          prevHash: seq === 1 ? GENESIS_HASH : out[seq - 2].entryHash,
          keyId: ring.activeKid,
        },
        ring.active,
      ),
    );
  }
  return out;
}

/** Re-seals a record with a key (recomputing hash and signature), e.g. an attacker who holds the key. */
const reseal = (r: LedgerRecord, key: crypto.KeyObject, changes: Partial<LedgerRecord> = {}): LedgerRecord => {
  const { entryHash, signature, ...rest } = { ...r, ...changes }; // eslint-disable-line @typescript-eslint/no-unused-vars
  return sealRecord(rest, key);
};

const forged = (sequence: number, prevHash: string): LedgerRecord => ({
  tenantId: TENANT,
  sequence,
  timestamp: '2026-01-01T00:00:00.000Z',
  eventType: 'system.registered',
  actorSubject: 'mallory',
  actorRole: 'admin',
  requestId: 'forged',
  payload: '{"system_id":"backdoor"}',
  prevHash,
  keyId: 'k1',
  entryHash: 'ab'.repeat(32),
  signature: 'cd'.repeat(32),
});

const withKey: VerifyOptions = { key: (kid) => ring.get(kid) };
const cp = (records: LedgerRecord[], size: number, s: CheckpointSigner = signer): Checkpoint =>
  s.sign(TENANT, size, size === 0 ? GENESIS_HASH : records[size - 1].entryHash, new Date('2026-02-01T00:00:00Z'));

describe('ledger verifyRecords', () => {
  const clean = build(10);

  it('accepts a clean ledger, checking every entry and signature', () => {
    const r = verifyRecords(clean, withKey);
    expect(r).to.deep.include({
      valid: true,
      entriesChecked: 10,
      firstInvalidSequence: 0,
      problem: '',
      signaturesChecked: true,
    });
  });

  it('accepts an empty ledger, with or without a checkpoint of size 0', () => {
    expect(verifyRecords([], withKey)).to.deep.include({
      valid: true,
      entriesChecked: 0,
      firstInvalidSequence: 0,
      problem: '',
    });
    const zero = cp([], 0);
    expect(verifyRecords([], { ...withKey, checkpoints: [zero], checkpointKey: signer.publicKey })).to.deep.include({
      valid: true,
      checkpointsChecked: 1,
    });
    // A size-0 checkpoint stays true of a ledger that grew afterwards.
    expect(verifyRecords(clean, { ...withKey, checkpoints: [zero], checkpointKey: signer.publicKey })).to.deep.include({
      valid: true,
      checkpointsChecked: 1,
    });
  });

  it('checks the hash chain but not signatures without a key', () => {
    expect(verifyRecords(clean)).to.deep.include({ valid: true, signaturesChecked: false });
    const m = clean.map((r) => ({ ...r }));
    m[4].payload = '{"n":5,"system_id":"evil"}';
    expect(verifyRecords(m)).to.deep.include({ valid: false, problem: 'modified', firstInvalidSequence: 5 });
  });

  interface Case {
    name: string;
    records: () => LedgerRecord[];
    options?: () => VerifyOptions;
    problem: string;
    first: number;
    checked?: number;
  }

  const cases: Case[] = [
    {
      name: 'a modified payload',
      records: () => clean.map((r, i) => (i === 4 ? { ...r, payload: '{"n":5,"system_id":"evil"}' } : r)),
      problem: 'modified',
      first: 5,
      checked: 4,
    },
    {
      name: 'a modified actor',
      records: () => clean.map((r, i) => (i === 6 ? { ...r, actorSubject: 'someone-else' } : r)),
      problem: 'modified',
      first: 7,
    },
    {
      name: 'a modified timestamp',
      records: () => clean.map((r, i) => (i === 0 ? { ...r, timestamp: '2025-01-01T00:00:00.000Z' } : r)),
      problem: 'modified',
      first: 1,
    },
    {
      name: 'a payload that is not JSON any more',
      records: () => clean.map((r, i) => (i === 2 ? { ...r, payload: '{not json' } : r)),
      problem: 'modified',
      first: 3,
    },
    {
      name: 'a deleted middle entry',
      records: () => clean.filter((_, i) => i !== 4),
      problem: 'deleted',
      first: 5,
    },
    {
      name: 'a deleted first entry',
      records: () => clean.slice(1),
      problem: 'deleted',
      first: 1,
    },
    {
      name: 'a deleted middle entry with the later ones renumbered',
      records: () => clean.filter((_, i) => i !== 4).map((r, i) => ({ ...r, sequence: i + 1 })),
      problem: 'deleted',
      first: 5,
    },
    {
      name: 'two adjacent entries swapped',
      records: () => [...clean.slice(0, 4), clean[5], clean[4], ...clean.slice(6)],
      problem: 'reordered',
      first: 5,
    },
    {
      name: 'two adjacent entries swapped and renumbered in place',
      records: () => [
        ...clean.slice(0, 4),
        { ...clean[5], sequence: 5 },
        { ...clean[4], sequence: 6 },
        ...clean.slice(6),
      ],
      problem: 'reordered',
      first: 5,
    },
    {
      name: 'two far-apart entries swapped',
      records: () => clean.map((r, i) => (i === 2 ? clean[8] : i === 8 ? clean[2] : r)),
      problem: 'reordered',
      first: 3,
    },
    {
      name: 'two far-apart entries swapped and renumbered in place',
      records: () =>
        clean.map((r, i) => (i === 2 ? { ...clean[8], sequence: 3 } : i === 8 ? { ...clean[2], sequence: 9 } : r)),
      problem: 'reordered',
      first: 3,
    },
    {
      name: 'a forged entry inserted in the middle',
      records: () => [...clean.slice(0, 4), forged(5, clean[3].entryHash), ...clean.slice(4)],
      problem: 'inserted',
      first: 5,
    },
    {
      name: 'a forged entry inserted in the middle with the later ones renumbered',
      records: () => [
        ...clean.slice(0, 4),
        forged(5, clean[3].entryHash),
        ...clean.slice(4).map((r) => ({ ...r, sequence: r.sequence + 1 })),
      ],
      problem: 'inserted',
      first: 5,
    },
    {
      name: 'a duplicate of an earlier entry at the end',
      records: () => [...clean, clean[2]],
      problem: 'inserted',
      first: 11,
      checked: 10,
    },
    {
      name: 'a duplicate of the last entry at the end',
      records: () => [...clean, clean[9]],
      problem: 'inserted',
      first: 11,
    },
    {
      name: 'a forged entry appended at the end',
      records: () => [...clean, forged(11, clean[9].entryHash)],
      problem: 'modified',
      first: 11,
    },
    {
      name: 'an entry re-hashed after a change (only the HMAC is wrong)',
      records: () =>
        clean.map((r, i) => {
          if (i !== 4) return r;
          const changed = { ...r, payload: '{"n":5,"system_id":"evil"}' };
          return { ...changed, entryHash: sha256Hex(canonicalForm(changed)) };
        }),
      problem: 'bad_signature',
      first: 5,
    },
    {
      name: 'an entry sealed under the right kid with another secret',
      records: () => clean.map((r, i) => (i === 4 ? reseal(r, secretKey()) : r)),
      problem: 'bad_signature',
      first: 5,
    },
    {
      name: 'a signature that is not hex',
      records: () => clean.map((r, i) => (i === 4 ? { ...r, signature: 'not-hex' } : r)),
      problem: 'bad_signature',
      first: 5,
    },
    {
      name: 'an entry re-signed with the real key but pointing at the wrong predecessor',
      records: () => clean.map((r, i) => (i === 4 ? reseal(r, ring.active, { prevHash: clean[2].entryHash }) : r)),
      problem: 'broken_link',
      first: 5,
    },
    {
      name: 'an entry naming a key id the ring does not have',
      records: () => clean.map((r, i) => (i === 4 ? { ...r, keyId: 'k-unknown' } : r)),
      problem: 'unknown_key',
      first: 5,
    },
    {
      name: 'an entry signed with a key that is not in the ring',
      records: () => {
        const other = secretKey();
        return clean.map((r, i) => (i === 4 ? reseal(r, other, { keyId: 'k9' }) : r));
      },
      problem: 'unknown_key',
      first: 5,
    },
    {
      name: 'a tail dropped after a checkpoint',
      records: () => clean.slice(0, 7),
      options: () => ({ ...withKey, checkpoints: [cp(clean, 10)], checkpointKey: signer.publicKey }),
      problem: 'truncated',
      first: 8,
      checked: 7,
    },
    {
      name: 'everything dropped after a checkpoint',
      records: () => [],
      options: () => ({ ...withKey, checkpoints: [cp(clean, 3)], checkpointKey: signer.publicKey }),
      problem: 'truncated',
      first: 1,
    },
    {
      name: 'a tail rewritten after a checkpoint (rolled back and appended again)',
      records: () => build(10, { from: clean.slice(0, 7), tag: 'new-' }),
      options: () => ({ ...withKey, checkpoints: [cp(clean, 10)], checkpointKey: signer.publicKey }),
      problem: 'rolled_back',
      first: 10,
    },
    {
      name: 'an older checkpoint contradicted by a rewritten ledger that grew past it',
      records: () => build(12, { from: clean.slice(0, 7), tag: 'new-' }),
      options: () => ({ ...withKey, checkpoints: [cp(clean, 5), cp(clean, 10)], checkpointKey: signer.publicKey }),
      problem: 'rolled_back',
      first: 10,
    },
    {
      name: 'a checkpoint with a bad signature',
      records: () => clean,
      options: () => {
        const c = cp(clean, 6);
        return {
          ...withKey,
          checkpoints: [{ ...c, size: 7, headHash: clean[6].entryHash }],
          checkpointKey: signer.publicKey,
        };
      },
      problem: 'bad_checkpoint',
      first: 7,
    },
    {
      name: 'a checkpoint whose signature is garbage',
      records: () => clean,
      options: () => ({
        ...withKey,
        checkpoints: [{ ...cp(clean, 4), signature: '!!!' }],
        checkpointKey: signer.publicKey,
      }),
      problem: 'bad_checkpoint',
      first: 4,
    },
    {
      name: 'a checkpoint signed by another key',
      records: () => clean,
      options: () => ({ ...withKey, checkpoints: [cp(clean, 10, otherSigner)], checkpointKey: signer.publicKey }),
      problem: 'bad_checkpoint',
      first: 10,
    },
    {
      name: 'a checkpoint signed by another key that claims the trusted key id',
      records: () => clean,
      options: () => {
        const c = cp(clean, 10, otherSigner);
        return { ...withKey, checkpoints: [{ ...c, keyId: signer.keyId }], checkpointKey: signer.publicKey };
      },
      problem: 'bad_checkpoint',
      first: 10,
    },
  ];

  for (const c of cases) {
    it(`detects ${c.name}: ${c.problem} at ${c.first}`, () => {
      const r = verifyRecords(c.records(), c.options ? c.options() : withKey);
      expect(
        { valid: r.valid, problem: r.problem, firstInvalidSequence: r.firstInvalidSequence },
        r.detail,
      ).to.deep.equal({
        valid: false,
        problem: c.problem,
        firstInvalidSequence: c.first,
      });
      expect(r.detail).to.be.a('string').and.not.equal('');
      if (c.checked !== undefined) expect(r.entriesChecked).to.equal(c.checked);
      // Read in pages, as VerifyLedger reads the database: the same verdict, whatever the page size.
      for (const size of [1, 3, 7])
        expect(chunked(c.records(), c.options ? c.options() : withKey, size), `pages of ${size}`).to.deep.equal(r);
    });
  }

  it('gives the same verdict page by page on a long clean ledger, holding a bounded window', () => {
    const long = build(5000);
    const whole = verifyRecords(long, withKey);
    expect(whole).to.deep.include({ valid: true, entriesChecked: 5000 });
    expect(
      chunked(long, { ...withKey, checkpoints: [cp(long, 4321)], checkpointKey: signer.publicKey }, 250),
    ).to.deep.include({ valid: true, entriesChecked: 5000, checkpointsChecked: 1 });
    const tampered = long.map((r, i) => (i === 4100 ? { ...r, payload: '{}' } : r));
    expect(chunked(tampered, withKey, 250)).to.deep.include({
      valid: false,
      problem: 'modified',
      firstInvalidSequence: 4101,
    });
  });

  it('accepts matching checkpoints, counting them', () => {
    const r = verifyRecords(clean, {
      ...withKey,
      checkpoints: [cp(clean, 10), cp(clean, 3), cp(clean, 0)],
      checkpointKey: signer.publicKey,
    });
    expect(r).to.deep.include({ valid: true, checkpointsChecked: 3 });
  });

  it('reports the first problem when there are several', () => {
    const records = clean
      .map((r, i) => (i === 3 ? { ...r, payload: '{}' } : i === 7 ? { ...r, keyId: 'nope' } : r))
      .slice(0, 9);
    const r = verifyRecords(records, { ...withKey, checkpoints: [cp(clean, 10)], checkpointKey: signer.publicKey });
    expect(r).to.deep.include({ problem: 'modified', firstInvalidSequence: 4 });
  });

  it('verifies entries signed under several keys (rotation)', () => {
    const k2 = secretKey();
    const both = new KeyRing(
      'k2',
      new Map([
        ['k1', ring.get('k1')!],
        ['k2', k2],
      ]),
    );
    const records = [...clean];
    records.push(
      sealRecord(
        {
          tenantId: TENANT,
          sequence: 11,
          timestamp: '2026-01-02T00:00:00.000Z',
          eventType: 'system.registered',
          actorSubject: 'user-1',
          actorRole: 'dev',
          requestId: 'r11',
          payload: '{}',
          prevHash: clean[9].entryHash,
          keyId: 'k2',
        },
        k2,
      ),
    );
    expect(verifyRecords(records, { key: (kid) => both.get(kid) })).to.deep.include({
      valid: true,
      entriesChecked: 11,
    });
    expect(verifyRecords(records, withKey)).to.deep.include({
      valid: false,
      problem: 'unknown_key',
      firstInvalidSequence: 11,
    });
    const onlyK2 = new KeyRing('k2', new Map([['k2', k2]]));
    expect(verifyRecords(records, { key: (kid) => onlyK2.get(kid) })).to.deep.include({
      valid: false,
      problem: 'unknown_key',
      firstInvalidSequence: 1,
    });
  });
});

describe('canonicalJson (RFC 8785)', () => {
  const table: [string, unknown, string][] = [
    ['sorts object keys', { b: 1, a: 2, c: { z: true, y: false } }, '{"a":2,"b":1,"c":{"y":false,"z":true}}'],
    [
      'sorts nested keys at every depth',
      { z: [{ d: 1, c: [{ f: null, e: 'x' }] }], a: {} },
      '{"a":{},"z":[{"c":[{"e":"x","f":null}],"d":1}]}',
    ],
    ['keeps array order and turns undefined in arrays into null', [3, 1, 2, undefined, 'a'], '[3,1,2,null,"a"]'],
    ['drops undefined object members', { a: undefined, b: 1 }, '{"b":1}'],
    ['has no whitespace', { a: [1, { b: 'c d' }] }, '{"a":[1,{"b":"c d"}]}'],
    ['keeps non-ASCII characters literal', { name: 'Zürich — 東京 😀' }, '{"name":"Zürich — 東京 😀"}'],
    [
      'escapes control characters, quotes and backslashes',
      { s: '\u0001\n"\\\t\u001f' },
      '{"s":"\\u0001\\n\\"\\\\\\t\\u001f"}',
    ],
    ['leaves / and U+2028 unescaped', { s: '/\u2028' }, '{"s":"/\u2028"}'],
    [
      'sorts keys by UTF-16 code units',
      { '\uff61': 1, '\u{1f600}': 2, '\u00e9': 3, z: 4, Z: 5, '1': 6 },
      '{"1":6,"Z":5,"z":4,"é":3,"😀":2,"｡":1}',
    ],
    ['writes 1e21 in exponent form', 1e21, '1e+21'],
    ['writes 1e20 in full', 1e20, '100000000000000000000'],
    ['writes 1e-7 in exponent form', 1e-7, '1e-7'],
    ['writes 0.000001 in full', 0.000001, '0.000001'],
    ['writes -0 as 0', -0, '0'],
    ['writes the shortest round-trip form of 0.1+0.2', 0.1 + 0.2, '0.30000000000000004'],
    ['writes integral floats without a fraction', 2.0, '2'],
    [
      'writes large and negative numbers',
      [Number.MAX_SAFE_INTEGER, -1.5, 5e-324, 1.7976931348623157e308],
      '[9007199254740991,-1.5,5e-324,1.7976931348623157e+308]',
    ],
    ['writes literals', [true, false, null], '[true,false,null]'],
    ['sorts keys that are only partly in order', { a: 1, c: 2, b: 3, d: 4 }, '{"a":1,"b":3,"c":2,"d":4}'],
    ['escapes quotes, backslashes and control characters in keys', { 'a"\\\n': 1 }, '{"a\\"\\\\\\n":1}'],
    [
      'escapes a lone surrogate, keeps a pair literal',
      { s: 'a\ud800b\udfff', p: '\ud83d\ude00' },
      '{"p":"\ud83d\ude00","s":"a\\ud800b\\udfff"}',
    ],
    ['writes dates as ISO strings', { t: new Date('2026-01-02T03:04:05.678Z') }, '{"t":"2026-01-02T03:04:05.678Z"}'],
  ];
  for (const [name, value, want] of table) {
    it(name, () => expect(canonicalJson(value)).to.equal(want));
  }

  it('writes every string as JSON.stringify does (random strings over the characters that matter)', () => {
    const alphabet = [
      'a',
      'é',
      '"',
      '\\',
      '/',
      '\n',
      '\u0000',
      '\u001f',
      '\u007f',
      '\u2028',
      '\ud800',
      '\udc00',
      '😀',
      ' ',
    ];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    for (let i = 0; i < 2000; i++) {
      let s = '';
      for (let n = next() % 8; n > 0; n--) s += alphabet[next() % alphabet.length];
      expect(canonicalJson(s), JSON.stringify(s)).to.equal(JSON.stringify(s));
      expect(canonicalJson({ [s]: s })).to.equal(`{${JSON.stringify(s)}:${JSON.stringify(s)}}`);
    }
  });

  it('gives identical bytes whatever the key insertion order', () => {
    expect(canonicalJson({ a: 1, b: { c: 2, d: 3 } })).to.equal(canonicalJson({ b: { d: 3, c: 2 }, a: 1 }));
  });

  it('seals a payload that is canonical already to the same bytes as parsing it would', () => {
    const payload = canonicalJson({ z: [1, { y: 'é\u2028"', x: null }], a: -0, d: new Date(0), skipped: undefined });
    const r = {
      tenantId: TENANT,
      sequence: 1,
      timestamp: '2026-01-01T00:00:00.000Z',
      eventType: 'decision.made',
      actorSubject: 'app-1',
      actorRole: 'app',
      requestId: 'r1',
      payload,
      prevHash: GENESIS_HASH,
      keyId: ring.activeKid,
    };
    expect(sealRecord(r, ring.active, true)).to.deep.equal(sealRecord(r, ring.active));
    expect(canonicalForm(r, true)).to.equal(canonicalForm(r));
  });

  it('refuses NaN, Infinity and values JSON cannot hold', () => {
    expect(() => canonicalJson(NaN)).to.throw(TypeError);
    expect(() => canonicalJson({ a: [Infinity] })).to.throw(TypeError);
    expect(() => canonicalJson(-Infinity)).to.throw(TypeError);
    expect(() => canonicalJson(BigInt(1))).to.throw(TypeError);
    expect(() => canonicalJson(() => 1)).to.throw(TypeError);
    expect(() => canonicalJson(Symbol('x'))).to.throw(TypeError);
  });
});
