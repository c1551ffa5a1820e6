#!/usr/bin/python3
"""An independent verifier of BuildToValue ledger proofs (docs/ledger.md).

The checks use nothing of the project: hashlib for SHA-256 and Debian's
python3-cryptography for Ed25519. Only fetching proofs from a live server uses
the generated gRPC stubs (gen/python) and python3-grpcio.

  /usr/bin/python3 test/clients/ledger_verifier.py selftest
      RFC 9162 and C2SP signed-note reference vectors.
  /usr/bin/python3 test/clients/ledger_verifier.py receipt FILE PUBLIC_KEY_PEM
      Check one decision receipt (btv ledger receipt) offline.
  /usr/bin/python3 test/clients/ledger_verifier.py live ADDRESS AUDITOR_TOKEN PUBLIC_KEY_PEM [RECEIPT]
      Selftest, then check a live server's checkpoint, inclusion and
      consistency proofs against entries recomputed here, and a receipt.

Prints one line per check and ends with "ledger verifier: N passed, M failed";
exits non-zero on any failure.
"""

import base64
import datetime
import hashlib
import json
import os
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey


class VerifyError(Exception):
    pass


# --- RFC 9162 Merkle tree ----------------------------------------------------

def sha256(b):
    return hashlib.sha256(b).digest()


def leaf_hash(entry_bytes):
    return sha256(b"\x00" + entry_bytes)


def node_hash(left, right):
    return sha256(b"\x01" + left + right)


def root_of(leaves):
    """MTH of a list of leaf hashes (section 2.1.1)."""
    if not leaves:
        return sha256(b"")
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node_hash(root_of(leaves[:k]), root_of(leaves[k:]))


def verify_inclusion(index, size, leaf, proof, root):
    """Section 2.1.3.2."""
    if not 0 <= index < size:
        raise VerifyError("leaf index %d is not in a tree of %d" % (index, size))
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise VerifyError("inclusion proof is too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0 or r != root:
        raise VerifyError("inclusion proof does not lead to the root")


def verify_consistency(first, second, first_root, second_root, proof):
    """Section 2.1.4.2."""
    if not 1 <= first <= second:
        raise VerifyError("bad sizes %d, %d" % (first, second))
    if first == second:
        if proof or first_root != second_root:
            raise VerifyError("equal sizes need an empty proof and equal roots")
        return
    c = list(proof)
    if first & (first - 1) == 0:
        c.insert(0, first_root)
    if not c:
        raise VerifyError("empty consistency proof")
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = c[0]
    for p in c[1:]:
        if sn == 0:
            raise VerifyError("consistency proof is too long")
        if fn & 1 or fn == sn:
            fr = node_hash(p, fr)
            sr = node_hash(p, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, p)
        fn >>= 1
        sn >>= 1
    if sn != 0 or fr != first_root or sr != second_root:
        raise VerifyError("consistency proof does not link the two roots")


# --- C2SP signed notes and tlog checkpoints ------------------------------------

def raw_public_key(pub):
    return pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def note_key_id(name, pub):
    return sha256(name.encode() + b"\n" + b"\x01" + raw_public_key(pub))[:4]


def open_note(note, name, pub):
    """Returns the note text if a signature of (name, pub) verifies; other signatures are ignored."""
    if not note.endswith("\n") or "\n\n" not in note:
        raise VerifyError("malformed note")
    split = note.rindex("\n\n")
    text, sigs = note[: split + 1], note[split + 2 : -1].split("\n")
    key_id = note_key_id(name, pub)
    verified = False
    for line in sigs:
        if not line.startswith("\u2014 "):
            raise VerifyError("malformed signature line")
        signer, _, b64 = line[2:].partition(" ")
        blob = base64.b64decode(b64, validate=True)
        if signer != name or blob[:4] != key_id:
            continue
        try:
            pub.verify(blob[4:], text.encode())
        except InvalidSignature:
            raise VerifyError("note signature does not verify")
        verified = True
    if not verified:
        raise VerifyError("note is not signed by %s" % name)
    return text


def open_checkpoint(note, pub, tenant_id):
    """(origin, size, root) of a checkpoint note signed by its origin's key, for this tenant's log."""
    origin = note.split("\n", 1)[0]
    if not origin.endswith("/" + tenant_id):
        raise VerifyError("checkpoint origin %r is not tenant %s's log" % (origin, tenant_id))
    lines = open_note(note, origin, pub).split("\n")
    if len(lines) < 4 or not lines[1].isdigit() or (lines[1] != "0" and lines[1].startswith("0")):
        raise VerifyError("not a tlog-checkpoint")
    root = base64.b64decode(lines[2], validate=True)
    if len(root) != 32:
        raise VerifyError("root hash is not 32 bytes")
    return origin, int(lines[1]), root


# --- ledger entries ----------------------------------------------------------

def iso_millis(ts):
    """A protobuf Timestamp as the ledger writes times: ISO 8601 UTC, always with milliseconds."""
    dt = datetime.datetime.fromtimestamp(ts.seconds, tz=datetime.timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + ".%03dZ" % (ts.nanos // 1000000)


def js_string(s):
    # JSON.stringify's escaping: json.dumps without ensure_ascii escapes the same characters the same way.
    return json.dumps(s, ensure_ascii=False)


def canonical_form(e):
    """The entry's canonical JSON (RFC 8785): keys sorted, the payload embedded as the canonical text it is stored as."""
    fields = [
        ("actor_role", js_string(e["actor_role"])),
        ("actor_subject", js_string(e["actor_subject"])),
        ("event_type", js_string(e["event_type"])),
        ("key_id", js_string(e["key_id"])),
        ("payload", e["payload"]),
        ("prev_hash", js_string(e["prev_hash"])),
        ("request_id", js_string(e["request_id"])),
        ("sequence", str(int(e["sequence"]))),
        ("tenant_id", js_string(e["tenant_id"])),
        ("timestamp", js_string(e["timestamp"])),
        ("v", "1"),
    ]
    return ("{" + ",".join('"%s":%s' % kv for kv in fields) + "}").encode("utf-8")


def entry_leaf(e):
    form = canonical_form(e)
    if hashlib.sha256(form).hexdigest() != e["entry_hash"]:
        raise VerifyError("entry %s does not match its entry_hash" % e["sequence"])
    return leaf_hash(form)


def verify_receipt(receipt, pub):
    if receipt.get("format") != "btv-decision-receipt" or receipt.get("version") != 1:
        raise VerifyError("not a decision receipt")
    e = receipt["entry"]
    leaf = entry_leaf(e)
    if e["event_type"] != "decision" or json.loads(e["payload"]).get("decision_id") != receipt["decision_id"]:
        raise VerifyError("the entry is not the decision's")
    if receipt["leaf_hash"] != leaf.hex():
        raise VerifyError("leaf_hash is not the entry's")
    _, size, root = open_checkpoint(receipt["checkpoint"]["note"], pub, e["tenant_id"])
    if size != receipt["tree_size"]:
        raise VerifyError("the proof's tree size is not the checkpoint's")
    verify_inclusion(int(e["sequence"]) - 1, size, leaf, [bytes.fromhex(h) for h in receipt["inclusion_proof"]], root)
    return e["sequence"], size


# --- harness -----------------------------------------------------------------

passed = 0
failed = 0


def check(name, fn):
    global passed, failed
    try:
        fn()
        passed += 1
        print("ok   %s" % name)
    except Exception as e:  # noqa: BLE001 - every failure is reported, none stops the run
        failed += 1
        print("FAIL %s: %s: %s" % (name, type(e).__name__, e))


def refuses(fn):
    try:
        fn()
    except VerifyError:
        return
    raise AssertionError("accepted what it must refuse")


def eq(a, b, what):
    if a != b:
        raise AssertionError("%s: %r != %r" % (what, a, b))


def load_public_key(path):
    with open(path, "rb") as f:
        key = serialization.load_pem_public_key(f.read())
    if not isinstance(key, Ed25519PublicKey):
        raise SystemExit("%s is not an Ed25519 public key" % path)
    return key


RFC_LEAVES = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
RFC_ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
H = bytes.fromhex


def selftest():
    leaves = [leaf_hash(H(x)) for x in RFC_LEAVES]

    def roots():
        for n in range(9):
            eq(root_of(leaves[:n]).hex(), RFC_ROOTS[n], "root of %d" % n)

    def inclusion():
        verify_inclusion(0, 8, leaves[0], [H("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
                                           H("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
                                           H("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")], H(RFC_ROOTS[8]))
        proof5 = [H("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
                  H("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
                  H("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")]
        verify_inclusion(5, 8, leaves[5], proof5, H(RFC_ROOTS[8]))
        refuses(lambda: verify_inclusion(4, 8, leaves[5], proof5, H(RFC_ROOTS[8])))
        refuses(lambda: verify_inclusion(5, 8, leaves[4], proof5, H(RFC_ROOTS[8])))

    def consistency():
        p68 = [H("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
               H("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
               H("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")]
        verify_consistency(6, 8, H(RFC_ROOTS[6]), H(RFC_ROOTS[8]), p68)
        refuses(lambda: verify_consistency(6, 8, H(RFC_ROOTS[5]), H(RFC_ROOTS[8]), p68))
        verify_consistency(2, 5, H(RFC_ROOTS[2]), H(RFC_ROOTS[5]), [H("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
                                                                    H("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")])

    def note():
        # golang.org/x/mod/sumdb/note's published example: its private key, text and signature.
        seed = base64.b64decode("AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz")[1:]
        pub = Ed25519PrivateKey.from_private_bytes(seed).public_key()
        eq(base64.b64encode(b"\x01" + raw_public_key(pub)).decode(), "ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "public key")
        eq(note_key_id("PeterNeumann", pub).hex(), "c74f20a3", "key id")
        text = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
        signed = text + "\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
        eq(open_note(signed, "PeterNeumann", pub), text, "note text")
        refuses(lambda: open_note(signed.replace("cryptography", "cryptographY"), "PeterNeumann", pub))
        refuses(lambda: open_note(signed, "EnochRoot", pub))

    check("RFC 9162 roots of the reference leaves, sizes 0..8", roots)
    check("RFC 9162 reference inclusion proofs; wrong leaf or index refused", inclusion)
    check("RFC 9162 reference consistency proofs; wrong root refused", consistency)
    check("C2SP signed-note reference (Go sumdb/note example): key id, signature; tampered text refused", note)


def receipt_checks(path, pub):
    with open(path) as f:
        receipt = json.load(f)

    def valid():
        verify_receipt(receipt, pub)

    def tampered_entry():
        bad = json.loads(json.dumps(receipt))
        bad["entry"]["payload"] = bad["entry"]["payload"].replace('"outcome":"', '"outcome":"X')
        refuses(lambda: verify_receipt(bad, pub))

    def tampered_proof():
        bad = json.loads(json.dumps(receipt))
        if not bad["inclusion_proof"]:
            raise AssertionError("a one-entry tree has no proof to tamper with")
        bad["inclusion_proof"][0] = "00" * 32
        refuses(lambda: verify_receipt(bad, pub))

    def other_key():
        refuses(lambda: verify_receipt(receipt, Ed25519PrivateKey.generate().public_key()))

    check("receipt verifies offline with the public key alone", valid)
    check("receipt with a changed decision is refused", tampered_entry)
    check("receipt with a changed proof is refused", tampered_proof)
    check("receipt checked with another key is refused", other_key)


def live(address, token, pub):
    here = os.path.dirname(os.path.abspath(__file__))
    sys.dont_write_bytecode = True
    sys.path.insert(0, os.path.normpath(os.path.join(here, "..", "..", "gen", "python")))
    import grpc  # noqa: E402
    from btv.v1 import audit_pb2, audit_pb2_grpc  # noqa: E402

    stub = audit_pb2_grpc.AuditServiceStub(grpc.insecure_channel(address))
    md = [("authorization", "Bearer " + token)]
    state = {}

    def fetch():
        state["cp"] = stub.CreateLedgerCheckpoint(audit_pb2.CreateLedgerCheckpointRequest(), metadata=md, timeout=15).checkpoint
        entries = stub.ListLedgerEntries(audit_pb2.ListLedgerEntriesRequest(limit=1000), metadata=md, timeout=15).entries
        state["tenant"] = state["cp"].tenant_id
        state["leaves"] = [entry_leaf({
            "tenant_id": e.tenant_id, "sequence": e.sequence, "timestamp": iso_millis(e.timestamp),
            "event_type": e.event_type, "actor_subject": e.actor_subject, "actor_role": e.actor_role,
            "request_id": e.request_id, "payload": e.payload_json, "prev_hash": e.prev_hash,
            "key_id": e.key_id, "entry_hash": e.entry_hash}) for e in entries]
        if len(state["leaves"]) < 3:
            raise AssertionError("the ledger needs a few entries")

    def checkpoint():
        _, size, root = open_checkpoint(state["cp"].note, pub, state["tenant"])
        eq(size, len(state["leaves"]), "checkpoint size")
        eq(root, root_of(state["leaves"]), "checkpoint root (recomputed from the entries here)")
        state["size"], state["root"] = size, root

    def inclusion():
        n = state["size"]
        for seq in range(1, n + 1):
            r = stub.GetInclusionProof(audit_pb2.GetInclusionProofRequest(sequence=seq, tree_size=n), metadata=md, timeout=15)
            eq(r.leaf_hash, state["leaves"][seq - 1], "leaf hash of %d" % seq)
            verify_inclusion(seq - 1, n, state["leaves"][seq - 1], list(r.proof), state["root"])
        r = stub.GetInclusionProof(audit_pb2.GetInclusionProofRequest(sequence=1, tree_size=n), metadata=md, timeout=15)
        refuses(lambda: verify_inclusion(1, n, state["leaves"][0], list(r.proof), state["root"]))

    def consistency():
        n = state["size"]
        for m in range(1, n + 1):
            r = stub.GetConsistencyProof(audit_pb2.GetConsistencyProofRequest(from_size=m, to_size=n), metadata=md, timeout=15)
            verify_consistency(m, n, root_of(state["leaves"][:m]), state["root"], list(r.proof))
            if m < n:
                refuses(lambda: verify_consistency(m, n, root_of(state["leaves"][1 : m + 1]), state["root"], list(r.proof)))

    def out_of_range():
        try:
            stub.GetInclusionProof(audit_pb2.GetInclusionProofRequest(sequence=1, tree_size=state["size"] + 1), metadata=md, timeout=15)
        except grpc.RpcError as e:
            eq(e.code(), grpc.StatusCode.OUT_OF_RANGE, "status")
            return
        raise AssertionError("a tree larger than the ledger was served")

    check("fetch a fresh checkpoint and the entries", fetch)
    check("checkpoint note signed by the tenant's log key; root = RFC 9162 root of the entries", checkpoint)
    check("every entry's inclusion proof leads to the signed root", inclusion)
    check("consistency proofs from every earlier size to the signed tree", consistency)
    check("a tree beyond the ledger is OUT_OF_RANGE", out_of_range)


def main(argv):
    if len(argv) >= 2 and argv[1] == "selftest":
        selftest()
    elif len(argv) == 4 and argv[1] == "receipt":
        receipt_checks(argv[2], load_public_key(argv[3]))
    elif len(argv) in (5, 6) and argv[1] == "live":
        pub = load_public_key(argv[4])
        selftest()
        live(argv[2], argv[3], pub)
        if len(argv) == 6:
            receipt_checks(argv[5], pub)
    else:
        print(__doc__)
        return 2
    print("ledger verifier: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
