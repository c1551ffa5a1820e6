import { expect } from 'chai';
import * as crypto from 'node:crypto';
import { CheckpointSigner, checkNote } from '../../src/ledger/checkpoint';
import { canonicalForm, GENESIS_HASH, sealRecord } from '../../src/ledger/entry';
import type { NodeRef } from '../../src/ledger/merkle';
import {
  consistencyPlan,
  EMPTY_ROOT,
  inclusionPlan,
  leafHash,
  nodeHash,
  nodeKey,
  rootOf,
  verifyInclusion,
} from '../../src/ledger/merkle';
import {
  checkpointText,
  noteKeyId,
  openNote,
  parseCheckpointText,
  parseVerifierKey,
  privateKeyFromSeed,
  signNote,
  verifierKey,
} from '../../src/ledger/note';

// The published example of golang.org/x/mod/sumdb/note (C2SP signed-note): key, text and signature.
const GO_SKEY_SEED = Buffer.from('AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz', 'base64').subarray(1);
const GO_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const GO_NOTE = `${GO_TEXT}\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;

describe('signed notes (C2SP signed-note, tlog-checkpoint)', () => {
  const key = privateKeyFromSeed(GO_SKEY_SEED);
  const pub = crypto.createPublicKey(key);

  it('reproduces the Go reference note byte for byte: key id, verifier key, signature', () => {
    expect(noteKeyId('PeterNeumann', pub).toString('hex')).to.equal('c74f20a3');
    expect(verifierKey('PeterNeumann', pub)).to.equal(GO_VKEY);
    expect(signNote(GO_TEXT, 'PeterNeumann', key)).to.equal(GO_NOTE);
    expect(openNote(GO_NOTE, 'PeterNeumann', parseVerifierKey(GO_VKEY).publicKey)).to.equal(GO_TEXT);
  });

  it('refuses a changed text, a changed signature, another key, and ignores unknown signers', () => {
    expect(() => openNote(GO_NOTE.replace('cryptography', 'cryptographY'), 'PeterNeumann', pub)).to.throw(
      /does not verify/,
    );
    expect(() => openNote(GO_NOTE.replace('x08go', 'x08gp'), 'PeterNeumann', pub)).to.throw();
    expect(() => openNote(GO_NOTE, 'PeterNeumann', crypto.generateKeyPairSync('ed25519').publicKey)).to.throw(
      /not signed by/,
    );
    const cosigned = GO_NOTE + `\u2014 EnochRoot ${Buffer.alloc(68, 7).toString('base64')}\n`;
    expect(openNote(cosigned, 'PeterNeumann', pub)).to.equal(GO_TEXT);
    expect(() => parseVerifierKey(GO_VKEY.replace('c74f20a3', 'c74f20a4'))).to.throw(/key ID/);
  });

  it('formats and parses a checkpoint body; refuses leading zeros and short roots', () => {
    const text = checkpointText({ origin: 'example.com/log', size: 20852163, rootHash: EMPTY_ROOT });
    expect(text).to.equal(`example.com/log\n20852163\n${EMPTY_ROOT.toString('base64')}\n`);
    expect(parseCheckpointText(text)).to.deep.equal({
      origin: 'example.com/log',
      size: 20852163,
      rootHash: EMPTY_ROOT,
    });
    expect(() => parseCheckpointText(text.replace('20852163', '020852163'))).to.throw();
    expect(() => parseCheckpointText('example.com/log\n1\nAAAA\n')).to.throw();
  });

  it("signs a tenant's checkpoint as a note named for the tenant's log, and checks it against the fields", () => {
    const signer = new CheckpointSigner(crypto.generateKeyPairSync('ed25519').privateKey, 'example.com/ledger');
    const tenant = crypto.randomUUID();
    const cp = signer.sign(tenant, 3, 'ab'.repeat(32), new Date(), EMPTY_ROOT);
    expect(cp.note!.split('\n')[0]).to.equal(`example.com/ledger/${tenant}`);
    expect(checkNote(cp, signer.publicKey)).to.equal(undefined);
    expect(checkNote({ ...cp, size: 4 }, signer.publicKey)).to.match(/does not match/);
    expect(checkNote({ ...cp, tenantId: crypto.randomUUID() }, signer.publicKey)).to.match(/not tenant/);
    expect(checkNote(cp, crypto.generateKeyPairSync('ed25519').publicKey)).to.match(/does not verify/);
    expect(parseVerifierKey(signer.verifierKey(tenant)).name).to.equal(`example.com/ledger/${tenant}`);
  });

  it('reproduces the worked example of docs/ledger.md', () => {
    const tenant = '6f1c2a9e-1d2b-4c3d-8e4f-5a6b7c8d9e0f';
    const hmac = crypto.createSecretKey(Buffer.alloc(32, 1));
    let prev = GENESIS_HASH;
    const leaves = [1, 2, 3].map((i) => {
      const r = sealRecord(
        {
          tenantId: tenant,
          sequence: i,
          timestamp: `2026-12-01T10:00:0${i}.000Z`,
          eventType: 'decision',
          actorSubject: 'svc-loans',
          actorRole: 'app',
          requestId: `req-${i}`,
          payload: `{"decision_id":"00000000-0000-4000-8000-00000000000${i}","outcome":"approved","system_id":"credit"}`,
          prevHash: prev,
          keyId: 'k1',
        },
        hmac,
        true,
      );
      prev = r.entryHash;
      return leafHash(canonicalForm(r));
    });
    const hex = leaves.map((l) => l.toString('hex'));
    expect(hex).to.deep.equal([
      'b0f0453cb12831c68f8b7dec4baf7dbe710feebefebb1840f098446fd84c08e4',
      '6215ea204642dd172863d7f7549f9dc3f623cc238b4e56b5784aee5071affcfc',
      '4fa238b76cdd5825e5de712dfdbf67a45a01278efa135671bc78f1bb558ded71',
    ]);
    const n12 = nodeHash(leaves[0], leaves[1]);
    expect(n12.toString('hex')).to.equal('d69da87c6a2aab878a204322739f2cdd6e24c35b37ce5e9467870ec94f80df0b');
    const root = rootOf(leaves);
    expect(root.toString('hex')).to.equal('53d451837786cf6a278d261d4c73f53742b4a7d00e88a95cf9428c2dcd0b872b');
    const sk = privateKeyFromSeed(Buffer.alloc(32, 7));
    const origin = `buildtovalue.dev/ledger/${tenant}`;
    expect(signNote(checkpointText({ origin, size: 3, rootHash: root }), origin, sk)).to.equal(
      `${origin}\n3\nU9RRg3eGz2onjSYdTHP1N0K0p9AOiKlc+UKMLc0Lhys=\n\n\u2014 ${origin} 0VK6kR5Lt7RvpvaQeoJSAEjBFtuHL/B8uyQfZ3nL+TJxu+EO1mv18FW2rcGJ/3G4gLyk4zz1cHhxN5KgMljidE01fQ0=\n`,
    );
    expect(verifierKey(origin, crypto.createPublicKey(sk))).to.equal(
      `${origin}+d152ba91+AepKbGPinFIKvvVQexMuxfmVR3auvr57kkIe6mkURtIs`,
    );
    const nodes = new Map<string, Buffer>([
      [nodeKey({ level: 0, index: 0 }), leaves[0]],
      [nodeKey({ level: 0, index: 1 }), leaves[1]],
      [nodeKey({ level: 0, index: 2 }), leaves[2]],
      [nodeKey({ level: 1, index: 0 }), n12],
    ]);
    const get = (n: NodeRef) => nodes.get(nodeKey(n));
    expect(inclusionPlan(0, 3).build(get)).to.deep.equal([leaves[1], leaves[2]]);
    expect(inclusionPlan(2, 3).build(get)).to.deep.equal([n12]);
    expect(consistencyPlan(2, 3).build(get)).to.deep.equal([leaves[2]]);
    expect(verifyInclusion(0, 3, leaves[0], [leaves[1], leaves[2]], root)).to.equal(true);
  });
});
