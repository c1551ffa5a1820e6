/** The steps of one decision that get their own span (and, for classify, a latency histogram). */
export type EnforceStep = 'classify' | 'decide' | 'ledger.commit';

/**
 * What domain services report about their own work. The domain only calls this port; the
 * telemetry layer (src/telemetry) implements it with metrics and spans. With both off the
 * services get NO_INSTRUMENTS, so the hot path pays one direct call per step and nothing else.
 */
export interface Instruments {
  /** Runs one step of a decision (timed, in its own span, when those are on); a promise is followed to its end. */
  step<T>(step: EnforceStep, fn: () => T): T;
  /** One decision answered: outcome, the first threat domain it names ('none' without one), env. */
  decision(tenantId: string, outcome: string, domain: string, env: string): void;
  /** A ledger verification that found the ledger invalid. */
  ledgerVerifyFailed(tenantId: string, problem: string): void;
}

export const NO_INSTRUMENTS: Instruments = {
  step: (_step, fn) => fn(),
  decision: () => undefined,
  ledgerVerifyFailed: () => undefined,
};
