import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import { AuditServiceClient } from '../../gen/ts/btv/v1/audit';
import { GovernanceServiceClient } from '../../gen/ts/btv/v1/governance';
import { OperationsServiceClient } from '../../gen/ts/btv/v1/operations';
import { BadRequest, ErrorInfo } from '../../gen/ts/google/rpc/error_details';
import { Status } from '../../gen/ts/google/rpc/status';

export interface Clients {
  governance: GovernanceServiceClient;
  operations: OperationsServiceClient;
  audit: AuditServiceClient;
  close(): void;
}

export function connect(address: string): Clients {
  const creds = grpc.credentials.createInsecure();
  const governance = new GovernanceServiceClient(address, creds);
  const operations = new OperationsServiceClient(address, creds);
  const audit = new AuditServiceClient(address, creds);
  return {
    governance,
    operations,
    audit,
    close: () => [governance, operations, audit].forEach((c) => c.close()),
  };
}

export function bearer(token: string | undefined, raw?: string): grpc.Metadata {
  const md = new grpc.Metadata();
  if (raw !== undefined) md.set('authorization', raw);
  else if (token !== undefined) md.set('authorization', `Bearer ${token}`);
  return md;
}

// Matches the last overload of a generated client method, the one TypeScript infers from.
type UnaryMethod<Req, Res> = (
  req: Req,
  md: grpc.Metadata,
  options: Partial<grpc.CallOptions>,
  cb: (err: grpc.ServiceError | null, res: Res) => void,
) => grpc.ClientUnaryCall;

/** Calls a generated client method as a promise. */
export function call<Req, Res>(
  client: grpc.Client,
  method: UnaryMethod<Req, Res>,
  req: Req,
  md: grpc.Metadata,
): Promise<Res> {
  return new Promise((resolve, reject) => {
    method.call(client, req, md, {}, (err, res) => (err ? reject(err) : resolve(res)));
  });
}

export interface DecodedError {
  code: grpc.status;
  message: string;
  reason: string;
  metadata: Record<string, string>;
  fieldViolations: { field: string; description: string }[];
}

export function decodeError(err: grpc.ServiceError): DecodedError {
  const bin = err.metadata?.get('grpc-status-details-bin')[0];
  expect(bin, 'grpc-status-details-bin trailer').to.be.instanceOf(Buffer);
  const status = Status.decode(bin as Buffer);
  expect(status.code).to.equal(err.code);
  const info = status.details.find((d) => d.typeUrl === 'type.googleapis.com/google.rpc.ErrorInfo');
  expect(info, 'ErrorInfo detail').to.exist;
  const errorInfo = ErrorInfo.decode(info!.value);
  expect(errorInfo.domain).to.equal('buildtovalue.grpc');
  const br = status.details.find((d) => d.typeUrl === 'type.googleapis.com/google.rpc.BadRequest');
  return {
    code: err.code,
    message: err.details,
    reason: errorInfo.reason,
    metadata: errorInfo.metadata,
    fieldViolations: br ? BadRequest.decode(br.value).fieldViolations : [],
  };
}

/** Asserts a call fails with the code and ErrorInfo reason, and returns the decoded error. */
export async function expectError(p: Promise<unknown>, code: grpc.status, reason: string): Promise<DecodedError> {
  let err: grpc.ServiceError | undefined;
  try {
    await p;
  } catch (e) {
    err = e as grpc.ServiceError;
  }
  expect(err, `expected ${grpc.status[code]} / ${reason}`).to.exist;
  const d = decodeError(err!);
  expect({ code: grpc.status[d.code], reason: d.reason }).to.deep.equal({ code: grpc.status[code], reason });
  // Nothing internal leaks: no stack frames, no SQL.
  expect(d.message).not.to.match(/\n\s+at |select |insert |update |knex|pg_/i);
  return d;
}
