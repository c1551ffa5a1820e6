// Server reflection exercised the way grpcurl uses it: no proto files on the
// client, every descriptor (and every import) fetched over the reflection
// stream, then a real call built from nothing but those descriptors.
import { expect } from 'chai';
import * as grpc from '@grpc/grpc-js';
import { readFileSync } from 'fs';
import * as path from 'path';
import { create, createFileRegistry, fromBinary, toBinary } from '@bufbuild/protobuf';
import type { DescMessage } from '@bufbuild/protobuf';
import { FieldDescriptorProto_Type, FileDescriptorProtoSchema, FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import type { DescriptorProto, EnumDescriptorProto, FileDescriptorProto } from '@bufbuild/protobuf/wkt';
import { startTestServer } from '../helpers/server';

const BTV_SERVICES = ['btv.v1.GovernanceService', 'btv.v1.OperationsService', 'btv.v1.AuditService'];
const NOT_FOUND = 5;

// Like grpcurl, the client compiles in the reflection protocol itself and nothing else.
const protocol = createFileRegistry(
  fromBinary(FileDescriptorSetSchema, readFileSync(path.join(__dirname, '../../gen/descriptors/grpc.binpb'))),
);

type Oneof = { case: string; value: unknown };
interface ReflectionResponse {
  validHost: string;
  messageResponse:
    | { case: 'fileDescriptorResponse'; value: { fileDescriptorProto: Uint8Array[] } }
    | { case: 'listServicesResponse'; value: { service: { name: string }[] } }
    | { case: 'allExtensionNumbersResponse'; value: { baseTypeName: string; extensionNumber: number[] } }
    | { case: 'errorResponse'; value: { errorCode: number; errorMessage: string } }
    | { case: undefined; value?: undefined };
}

/** One ServerReflectionInfo stream; responses come back in request order. */
class ReflectionStream {
  private readonly call: grpc.ClientDuplexStream<Buffer, Buffer>;
  private readonly request: DescMessage;
  private readonly waiting: { resolve: (r: ReflectionResponse) => void; reject: (e: Error) => void }[] = [];

  constructor(client: grpc.Client, version: 'v1' | 'v1alpha') {
    const pkg = `grpc.reflection.${version}`;
    this.request = protocol.getMessage(`${pkg}.ServerReflectionRequest`)!;
    const response = protocol.getMessage(`${pkg}.ServerReflectionResponse`)!;
    const identity = (b: Buffer): Buffer => b;
    this.call = client.makeBidiStreamRequest(`/${pkg}.ServerReflection/ServerReflectionInfo`, identity, identity);
    this.call.on('data', (b: Buffer) => {
      this.waiting.shift()?.resolve(fromBinary(response, b) as unknown as ReflectionResponse);
    });
    const fail = (e: Error): void => this.waiting.splice(0).forEach((w) => w.reject(e));
    this.call.on('error', fail);
    this.call.on('end', () => fail(new Error('reflection stream ended')));
  }

  send(messageRequest: Oneof): Promise<ReflectionResponse> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      const msg = create(this.request, { host: 'localhost', messageRequest });
      this.call.write(Buffer.from(toBinary(this.request, msg)));
    });
  }

  async services(): Promise<string[]> {
    const { messageResponse: r } = await this.send({ case: 'listServices', value: '' });
    expect(r.case).to.equal('listServicesResponse');
    return (r.value as { service: { name: string }[] }).service.map((s) => s.name);
  }

  async files(messageRequest: Oneof): Promise<FileDescriptorProto[]> {
    const { messageResponse: r } = await this.send(messageRequest);
    expect(r.case, JSON.stringify(r.value)).to.equal('fileDescriptorResponse');
    const raw = (r.value as { fileDescriptorProto: Uint8Array[] }).fileDescriptorProto;
    return raw.map((b) => fromBinary(FileDescriptorProtoSchema, b));
  }

  async error(messageRequest: Oneof): Promise<{ errorCode: number; errorMessage: string }> {
    const { messageResponse: r } = await this.send(messageRequest);
    expect(r.case).to.equal('errorResponse');
    return r.value as { errorCode: number; errorMessage: string };
  }

  close(): void {
    this.call.end();
  }
}

/**
 * What grpcurl does for `describe`/`-d`: file_containing_symbol for each
 * symbol, then file_by_filename for every import not seen yet.
 */
async function resolveSymbols(stream: ReflectionStream, symbols: string[]): Promise<Map<string, FileDescriptorProto>> {
  const files = new Map<string, FileDescriptorProto>();
  const requested = new Set<string>();
  const pending: string[] = [];
  const take = (received: FileDescriptorProto[]): void => {
    expect(new Set(received.map((f) => f.name)).size, 'no duplicate files').to.equal(received.length);
    for (const f of received) {
      if (!files.has(f.name)) files.set(f.name, f);
      pending.push(...f.dependency);
    }
  };
  for (const symbol of symbols) {
    const received = await stream.files({ case: 'fileContainingSymbol', value: symbol });
    const [owner] = received;
    const defined = [...owner.service.map((s) => `.${owner.package}.${s.name}`), ...typeIndex([owner]).keys()];
    expect(defined, `file_containing_symbol ${symbol}`).to.include(`.${symbol}`);
    take(received);
  }
  // Ask for every import by name, even if it already came along, so the
  // file_by_filename path is proven for each one.
  while (pending.length) {
    const name = pending.shift()!;
    if (requested.has(name)) continue;
    requested.add(name);
    const received = await stream.files({ case: 'fileByFilename', value: name });
    expect(received[0].name, `file_by_filename ${name}`).to.equal(name);
    take(received);
  }
  return files;
}

/** Fully qualified message/enum name → defining file, nested types included. */
function typeIndex(
  files: Iterable<FileDescriptorProto>,
): Map<string, { file: string; message?: DescriptorProto; enum?: EnumDescriptorProto }> {
  const out = new Map<string, { file: string; message?: DescriptorProto; enum?: EnumDescriptorProto }>();
  for (const file of files) {
    const walk = (scope: string, messages: DescriptorProto[], enums: EnumDescriptorProto[]): void => {
      for (const e of enums) out.set(`${scope}.${e.name}`, { file: file.name, enum: e });
      for (const m of messages) {
        out.set(`${scope}.${m.name}`, { file: file.name, message: m });
        walk(`${scope}.${m.name}`, m.nestedType, m.enumType);
      }
    };
    walk(file.package ? `.${file.package}` : '', file.messageType, file.enumType);
  }
  return out;
}

function importClosure(files: Map<string, FileDescriptorProto>, root: string): Set<string> {
  const seen = new Set<string>();
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    files.get(name)?.dependency.forEach(visit);
  };
  visit(root);
  return seen;
}

// createFileRegistry(FileDescriptorSet) wants imports before importers.
function registryOf(files: Map<string, FileDescriptorProto>) {
  const ordered: FileDescriptorProto[] = [];
  const seen = new Set<string>();
  const visit = (name: string): void => {
    const f = files.get(name);
    if (!f || seen.has(name)) return;
    seen.add(name);
    f.dependency.forEach(visit);
    ordered.push(f);
  };
  [...files.keys()].forEach(visit);
  return createFileRegistry(create(FileDescriptorSetSchema, { file: ordered }));
}

describe('gRPC server reflection (grpcurl-style)', () => {
  let srv: Awaited<ReturnType<typeof startTestServer>>;
  let client: grpc.Client;
  let stream: ReflectionStream;

  before(async () => {
    srv = await startTestServer();
    client = new grpc.Client(srv.address, grpc.credentials.createInsecure());
  });
  beforeEach(() => {
    stream = new ReflectionStream(client, 'v1');
  });
  afterEach(() => stream.close());
  after(async () => {
    client?.close();
    await srv?.stop();
  });

  it('lists every service without authentication (v1)', async () => {
    const services = await stream.services();
    expect(services).to.include.members([
      ...BTV_SERVICES,
      'grpc.health.v1.Health',
      'grpc.reflection.v1.ServerReflection',
      'grpc.reflection.v1alpha.ServerReflection',
    ]);
  });

  it('resolves each service, its methods and every import by file name', async () => {
    const files = await resolveSymbols(stream, BTV_SERVICES);
    expect([...files.keys()]).to.include.members([
      'btv/v1/governance.proto',
      'btv/v1/operations.proto',
      'btv/v1/audit.proto',
      'btv/v1/types.proto',
      'google/protobuf/timestamp.proto',
    ]);
    for (const f of files.values()) {
      for (const dep of f.dependency) expect(files.has(dep), `${f.name} imports ${dep}`).to.equal(true);
    }

    const types = typeIndex(files.values());
    let methods = 0;
    for (const file of files.values()) {
      const reachable = importClosure(files, file.name);
      for (const service of file.service.filter((s) => BTV_SERVICES.includes(`${file.package}.${s.name}`))) {
        for (const method of service.method) {
          methods++;
          const symbol = `${file.package}.${service.name}.${method.name}`;
          const [owner] = await stream.files({ case: 'fileContainingSymbol', value: symbol });
          expect(owner.name, symbol).to.equal(file.name);

          // Every type a request or response touches must be defined in a
          // file the service's file (transitively) imports.
          const visited = new Set<string>();
          const visit = (typeName: string, via: string): void => {
            if (visited.has(typeName)) return;
            visited.add(typeName);
            const t = types.get(typeName);
            expect(t, `${typeName} (via ${via})`).to.not.equal(undefined);
            expect(reachable.has(t!.file), `${t!.file} reachable from ${file.name}`).to.equal(true);
            for (const field of t!.message?.field ?? []) {
              if (field.typeName) visit(field.typeName, `${typeName}.${field.name}`);
            }
          };
          visit(method.inputType, symbol);
          visit(method.outputType, symbol);
        }
      }
    }
    expect(methods).to.be.greaterThan(10);
  });

  it('resolves google.protobuf.Timestamp fields through the reflected timestamp.proto', async () => {
    const files = await resolveSymbols(stream, ['btv.v1.AiSystem']);
    const types = registryOf(files);
    const createdAt = types.getMessage('btv.v1.AiSystem')?.fields.find((f) => f.name === 'created_at');
    expect(createdAt?.message?.typeName).to.equal('google.protobuf.Timestamp');
    expect(createdAt?.message?.file.proto.name).to.equal('google/protobuf/timestamp.proto');
    const raw = files.get('btv/v1/types.proto')!.messageType.find((m) => m.name === 'AiSystem')!;
    const field = raw.field.find((f) => f.name === 'created_at')!;
    expect(field.type).to.equal(FieldDescriptorProto_Type.MESSAGE);
    expect(field.typeName).to.equal('.google.protobuf.Timestamp');
  });

  it('calls RegisterTenant with messages built only from reflected descriptors', async () => {
    const types = registryOf(await resolveSymbols(stream, ['btv.v1.GovernanceService']));
    const method = types.getService('btv.v1.GovernanceService')?.methods.find((m) => m.name === 'RegisterTenant');
    expect(method, 'RegisterTenant method').to.not.equal(undefined);
    const request = create(method!.input, { tenant: { id: srv.tenantId, name: 'Reflected' } });

    const metadata = new grpc.Metadata();
    metadata.set('authorization', `Bearer ${srv.mint('admin')}`);
    const identity = (b: Buffer): Buffer => b;
    const raw = await new Promise<Buffer>((resolve, reject) =>
      client.makeUnaryRequest(
        `/btv.v1.GovernanceService/${method!.name}`,
        identity,
        identity,
        Buffer.from(toBinary(method!.input, request)),
        metadata,
        (err, res) => (err ? reject(err) : resolve(res!)),
      ),
    );
    const response = fromBinary(method!.output, raw) as unknown as { status: string; tenantId: string };
    expect(method!.output.typeName).to.equal('btv.v1.RegisterTenantResponse');
    expect(response.status).to.equal('registered');
    expect(response.tenantId).to.equal(srv.tenantId);
  });

  it('answers unknown symbols, files and extensions with NOT_FOUND and keeps the stream open', async () => {
    const symbol = await stream.error({ case: 'fileContainingSymbol', value: 'btv.v1.NoSuchThing' });
    expect(symbol.errorCode).to.equal(NOT_FOUND);
    expect(symbol.errorMessage).to.not.equal('');
    // Same stream, still answering.
    const [governance] = await stream.files({ case: 'fileByFilename', value: 'btv/v1/governance.proto' });
    expect(governance.name).to.equal('btv/v1/governance.proto');

    const file = await stream.error({ case: 'fileByFilename', value: 'btv/v1/nope.proto' });
    expect(file.errorCode).to.equal(NOT_FOUND);
    const ext = await stream.error({
      case: 'fileContainingExtension',
      value: { containingType: 'btv.v1.Tenant', extensionNumber: 1000 },
    });
    expect(ext.errorCode).to.equal(NOT_FOUND);

    const { messageResponse: numbers } = await stream.send({
      case: 'allExtensionNumbersOfType',
      value: 'btv.v1.Tenant',
    });
    expect(numbers.case).to.equal('allExtensionNumbersResponse');
    expect(numbers.value).to.deep.include({ baseTypeName: 'btv.v1.Tenant', extensionNumber: [] });
    const unknownType = await stream.error({ case: 'allExtensionNumbersOfType', value: 'btv.v1.NoSuchThing' });
    expect(unknownType.errorCode).to.equal(NOT_FOUND);

    expect(await stream.services()).to.include('btv.v1.GovernanceService');
  });

  it('serves v1alpha for older clients', async () => {
    const alpha = new ReflectionStream(client, 'v1alpha');
    try {
      expect(await alpha.services()).to.include.members([...BTV_SERVICES, 'grpc.health.v1.Health']);
      const files = await alpha.files({ case: 'fileByFilename', value: 'btv/v1/types.proto' });
      expect(files.map((f) => f.name)).to.deep.equal(['btv/v1/types.proto', 'google/protobuf/timestamp.proto']);
      const missing = await alpha.error({ case: 'fileContainingSymbol', value: 'btv.v1.NoSuchThing' });
      expect(missing.errorCode).to.equal(NOT_FOUND);
    } finally {
      alpha.close();
    }
  });
});
