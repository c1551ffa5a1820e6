export { Client, ClientOptions, EnforceInput, Role } from './client';
export { BuildToValueError, ErrorDetails, FieldViolation } from './errors';
export { EnforceResult, Outcome, SystemStatus } from './status';
export { WatchState } from './watch';
export { Decision } from './gen/btv/v1/types';
