/** Injected time, so tests can pin it. */
export type Clock = () => Date;
