import type { Config } from './config';
import { CheckpointSigner, loadCheckpointKey } from './ledger/checkpoint';
import type { KeyRing } from './ledger/keyring';
import { loadKeyRing } from './ledger/keyring';

/** The ledger's HMAC key ring and checkpoint signer as configured: the server and the CLI sign alike. */
export function loadLedgerKeys(config: Config): { keyRing: KeyRing; signer: CheckpointSigner } {
  const keyRing = loadKeyRing({
    env: config.env,
    dataDir: config.dataDir,
    keys: config.ledger.keys,
    activeKid: config.ledger.activeKey,
  });
  const signer = new CheckpointSigner(
    loadCheckpointKey({ env: config.env, dataDir: config.dataDir, keyFile: config.ledger.checkpointKeyFile }),
    config.ledger.logOrigin,
  );
  return { keyRing, signer };
}
