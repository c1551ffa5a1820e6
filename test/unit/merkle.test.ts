import { expect } from 'chai';
import type { NodeRef } from '../../src/ledger/merkle';
import {
  appendLeaf,
  consistencyPlan,
  EMPTY_ROOT,
  inclusionPlan,
  leafHash,
  nodeKey,
  rootFromFrontier,
  rootOf,
  rootPlan,
  splitPoint,
  verifyConsistency,
  verifyInclusion,
} from '../../src/ledger/merkle';

const hex = (b: Buffer) => b.toString('hex');
const unhex = (s: string) => Buffer.from(s, 'hex');

// RFC 6962 / RFC 9162 reference vectors (the Certificate Transparency test leaves and tree heads).
const LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(
  unhex,
);
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const INCLUSION = [
  {
    index: 0,
    size: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    index: 5,
    size: 8,
    proof: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
];
const CONSISTENCY = [
  { first: 1, second: 1, proof: [] as string[] },
  {
    first: 1,
    second: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    first: 6,
    second: 8,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  {
    first: 2,
    second: 5,
    proof: [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
];

/** A tree built the way the writer builds it: frontier appends, every completed node kept. */
function build(leaves: Buffer[]) {
  const nodes = new Map<string, Buffer>();
  let frontier: Buffer[] = [];
  const frontiers = [frontier];
  leaves.forEach((leaf, i) => {
    const r = appendLeaf(frontier, i, leaf);
    r.completed.forEach((h, level) => nodes.set(nodeKey({ level, index: Math.floor(i / 2 ** level) }), h));
    frontier = r.frontier;
    frontiers.push(frontier);
  });
  const get = (n: NodeRef) => nodes.get(nodeKey(n));
  return { frontiers, get };
}

describe('Merkle tree (RFC 9162)', () => {
  const hashes = LEAVES.map(leafHash);
  const t = build(hashes);

  it('matches the reference roots for every size 0..8, incrementally and directly', () => {
    expect(hex(EMPTY_ROOT)).to.equal(ROOTS[0]);
    for (let n = 0; n <= 8; n++) {
      expect(hex(rootOf(hashes.slice(0, n))), `direct ${n}`).to.equal(ROOTS[n]);
      expect(hex(rootFromFrontier(t.frontiers[n])), `frontier ${n}`).to.equal(ROOTS[n]);
      if (n > 0) expect(hex(rootPlan(n).build(t.get)[0]), `stored nodes ${n}`).to.equal(ROOTS[n]);
    }
  });

  it('splits at the largest power of two below n, not the midpoint', () => {
    expect([2, 3, 5, 6, 9, 1000].map(splitPoint)).to.deep.equal([1, 2, 4, 4, 8, 512]);
  });

  for (const v of INCLUSION) {
    it(`reference inclusion proof of leaf ${v.index} in size ${v.size}`, () => {
      expect(inclusionPlan(v.index, v.size).build(t.get).map(hex)).to.deep.equal(v.proof);
      expect(verifyInclusion(v.index, v.size, hashes[v.index], v.proof.map(unhex), unhex(ROOTS[v.size]))).to.equal(
        true,
      );
    });
  }

  for (const v of CONSISTENCY) {
    it(`reference consistency proof ${v.first} -> ${v.second}`, () => {
      expect(consistencyPlan(v.first, v.second).build(t.get).map(hex)).to.deep.equal(v.proof);
      expect(
        verifyConsistency(v.first, v.second, unhex(ROOTS[v.first]), unhex(ROOTS[v.second]), v.proof.map(unhex)),
      ).to.equal(true);
    });
  }

  it('every inclusion and consistency proof of trees up to 40 leaves verifies, and wrong ones fail', () => {
    const many = Array.from({ length: 40 }, (_, i) => leafHash(Buffer.from([i, i * 7])));
    const big = build(many);
    for (let n = 1; n <= many.length; n++) {
      const root = rootOf(many.slice(0, n));
      for (let i = 0; i < n; i++) {
        const p = inclusionPlan(i, n).build(big.get);
        expect(verifyInclusion(i, n, many[i], p, root), `incl ${i}/${n}`).to.equal(true);
        expect(verifyInclusion(i, n, many[(i + 1) % 40], p, root)).to.equal(false);
        if (n > 1) expect(verifyInclusion((i + 1) % n, n, many[i], p, root)).to.equal(false);
        if (p.length) expect(verifyInclusion(i, n, many[i], [...p.slice(0, -1), many[39]], root)).to.equal(false);
      }
      for (let m = 1; m <= n; m++) {
        const p = consistencyPlan(m, n).build(big.get);
        const old = rootOf(many.slice(0, m));
        expect(verifyConsistency(m, n, old, root, p), `cons ${m}/${n}`).to.equal(true);
        if (m < n) {
          expect(verifyConsistency(m, n, rootOf(many.slice(1, m + 1)), root, p)).to.equal(false);
          expect(verifyConsistency(m, n, old, rootOf(many.slice(0, n - 1)), p)).to.equal(false);
        }
      }
    }
  });

  it('a proof reads O(log n) stored nodes, even for a billion leaves', () => {
    const n = 1_000_000_007;
    expect(inclusionPlan(123_456_789, n).nodes.length).to.be.at.most(2 * 30);
    expect(consistencyPlan(999_999_999, n).nodes.length).to.be.at.most(2 * 30);
  });
});
