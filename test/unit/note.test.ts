import { expect } from 'chai';
import * as crypto from 'node:crypto';
import { CheckpointSigner, checkNote } from '../../src/ledger/checkpoint';
import { EMPTY_ROOT } from '../../src/ledger/merkle';
import { checkpointText, noteKeyId, openNote, parseCheckpointText, parseVerifierKey, privateKeyFromSeed, signNote, verifierKey } from '../../src/ledger/note';

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
    expect(() => openNote(GO_NOTE.replace('cryptography', 'cryptographY'), 'PeterNeumann', pub)).to.throw(/does not verify/);
    expect(() => openNote(GO_NOTE.replace('x08go', 'x08gp'), 'PeterNeumann', pub)).to.throw();
    expect(() => openNote(GO_NOTE, 'PeterNeumann', crypto.generateKeyPairSync('ed25519').publicKey)).to.throw(/not signed by/);
    const cosigned = GO_NOTE + `\u2014 EnochRoot ${Buffer.alloc(68, 7).toString('base64')}\n`;
    expect(openNote(cosigned, 'PeterNeumann', pub)).to.equal(GO_TEXT);
    expect(() => parseVerifierKey(GO_VKEY.replace('c74f20a3', 'c74f20a4'))).to.throw(/key ID/);
  });

  it('formats and parses a checkpoint body; refuses leading zeros and short roots', () => {
    const text = checkpointText({ origin: 'example.com/log', size: 20852163, rootHash: EMPTY_ROOT });
    expect(text).to.equal(`example.com/log\n20852163\n${EMPTY_ROOT.toString('base64')}\n`);
    expect(parseCheckpointText(text)).to.deep.equal({ origin: 'example.com/log', size: 20852163, rootHash: EMPTY_ROOT });
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
});
