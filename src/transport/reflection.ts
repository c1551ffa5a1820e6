// gRPC server reflection (grpc.reflection.v1 and v1alpha) serving the exact
// FileDescriptorProto bytes `buf build` wrote. grpc-node's own reflection
// rebuilds descriptors from proto-loader output and loses the `dependency`
// list, so grpcurl cannot resolve imports such as google/protobuf/timestamp.proto.
import * as grpc from '@grpc/grpc-js';
import { create, createFileRegistry, fromBinary, toBinary } from '@bufbuild/protobuf';
import type { DescMessage, Message } from '@bufbuild/protobuf';
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import { FileDescriptorProtoSchema, FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import type {
  DescriptorProto,
  EnumDescriptorProto,
  FieldDescriptorProto,
  FileDescriptorProto,
} from '@bufbuild/protobuf/wkt';

const REFLECTION_PACKAGES = ['grpc.reflection.v1', 'grpc.reflection.v1alpha'] as const;
const NOT_FOUND = grpc.status.NOT_FOUND;
const INVALID_ARGUMENT = grpc.status.INVALID_ARGUMENT;

interface Index {
  bytes: Map<string, Uint8Array>;
  protos: Map<string, FileDescriptorProto>;
  symbols: Map<string, string>;
  services: string[];
  /** `extendee#number` → file. */
  extensions: Map<string, string>;
  extensionNumbers: Map<string, number[]>;
  messageTypes: Set<string>;
}

/**
 * Registers both reflection services on `server`. Each buffer is a serialized
 * google.protobuf.FileDescriptorSet; together they must be closed under
 * imports and include grpc/reflection/{v1,v1alpha}/reflection.proto, whose
 * message types this service itself uses on the wire.
 */
export function addReflectionService(server: grpc.Server, descriptorSetFiles: Buffer[]): void {
  const index = buildIndex(descriptorSetFiles);
  const registry = createFileRegistry(create(FileDescriptorSetSchema, { file: importsFirst(index) }));
  for (const pkg of REFLECTION_PACKAGES) {
    const request = registry.getMessage(`${pkg}.ServerReflectionRequest`);
    const response = registry.getMessage(`${pkg}.ServerReflectionResponse`);
    if (!request || !response) {
      throw new Error(`reflection: descriptor sets lack ${pkg} (pass gen/descriptors/grpc.binpb)`);
    }
    server.addService(serviceDefinition(pkg), {
      ServerReflectionInfo: (call: grpc.ServerDuplexStream<Buffer, Buffer>) => {
        call.on('data', (raw: Buffer) => {
          call.write(Buffer.from(toBinary(response, respond(index, request, response, raw))));
        });
        call.on('end', () => call.end());
        // A client that goes away mid-stream is not a server error.
        call.on('error', () => undefined);
      },
    });
  }
}

function serviceDefinition(pkg: string): grpc.ServiceDefinition {
  // Raw buffers both ways: decoding happens in the handler, so a malformed
  // request becomes an error_response instead of killing the stream.
  const identity = (b: Buffer): Buffer => b;
  return {
    ServerReflectionInfo: {
      path: `/${pkg}.ServerReflection/ServerReflectionInfo`,
      requestStream: true,
      responseStream: true,
      requestSerialize: identity,
      requestDeserialize: identity,
      responseSerialize: identity,
      responseDeserialize: identity,
    },
  };
}

function respond(index: Index, requestDesc: DescMessage, responseDesc: DescMessage, raw: Buffer): Message {
  let request: Message & { host?: string; messageRequest?: { case?: string; value?: unknown } };
  try {
    request = fromBinary(requestDesc, raw);
  } catch {
    return create(responseDesc, {
      messageResponse: errorResponse(INVALID_ARGUMENT, 'malformed ServerReflectionRequest'),
    });
  }
  return create(responseDesc, {
    validHost: request.host ?? '',
    originalRequest: request,
    messageResponse: answer(index, request.messageRequest ?? {}),
  });
}

function answer(index: Index, req: { case?: string; value?: unknown }): { case: string; value: object } {
  switch (req.case) {
    case 'listServices':
      return { case: 'listServicesResponse', value: { service: index.services.map((name) => ({ name })) } };
    case 'fileByFilename': {
      const name = req.value as string;
      return index.bytes.has(name) ? files(index, name) : errorResponse(NOT_FOUND, `file not found: ${name}`);
    }
    case 'fileContainingSymbol': {
      const symbol = stripDot(req.value as string);
      const file = index.symbols.get(symbol);
      return file ? files(index, file) : errorResponse(NOT_FOUND, `symbol not found: ${symbol}`);
    }
    case 'fileContainingExtension': {
      const { containingType, extensionNumber } = req.value as { containingType: string; extensionNumber: number };
      const file = index.extensions.get(`${stripDot(containingType)}#${extensionNumber}`);
      return file
        ? files(index, file)
        : errorResponse(NOT_FOUND, `extension not found: ${containingType} ${extensionNumber}`);
    }
    case 'allExtensionNumbersOfType': {
      const type = stripDot(req.value as string);
      if (!index.messageTypes.has(type)) return errorResponse(NOT_FOUND, `type not found: ${type}`);
      return {
        case: 'allExtensionNumbersResponse',
        value: { baseTypeName: type, extensionNumber: index.extensionNumbers.get(type) ?? [] },
      };
    }
    default:
      return errorResponse(INVALID_ARGUMENT, 'ServerReflectionRequest has no message_request set');
  }
}

function errorResponse(errorCode: grpc.status, errorMessage: string): { case: string; value: object } {
  return { case: 'errorResponse', value: { errorCode, errorMessage } };
}

// Like the C++ server: the requested file first, then every transitive
// import, so a client needs one round trip per symbol.
function files(index: Index, root: string): { case: string; value: object } {
  const seen = new Set<string>();
  const out: Uint8Array[] = [];
  const visit = (name: string): void => {
    const bytes = index.bytes.get(name);
    if (seen.has(name) || !bytes) return;
    seen.add(name);
    out.push(bytes);
    for (const dep of index.protos.get(name)?.dependency ?? []) visit(dep);
  };
  visit(root);
  return { case: 'fileDescriptorResponse', value: { fileDescriptorProto: out } };
}

// createFileRegistry(FileDescriptorSet) needs every import before its importer.
function importsFirst(index: Index): FileDescriptorProto[] {
  const order: FileDescriptorProto[] = [];
  const seen = new Set<string>();
  const visit = (name: string): void => {
    const file = index.protos.get(name);
    if (seen.has(name) || !file) return;
    seen.add(name);
    for (const dep of file.dependency) visit(dep);
    order.push(file);
  };
  for (const name of index.protos.keys()) visit(name);
  return order;
}

function buildIndex(descriptorSetFiles: Buffer[]): Index {
  const index: Index = {
    bytes: new Map(),
    protos: new Map(),
    symbols: new Map(),
    services: [],
    extensions: new Map(),
    extensionNumbers: new Map(),
    messageTypes: new Set(),
  };
  for (const set of descriptorSetFiles) {
    for (const bytes of rawFiles(set)) {
      const file = fromBinary(FileDescriptorProtoSchema, bytes);
      // The same import (e.g. timestamp.proto) may ship in several sets.
      if (index.bytes.has(file.name)) continue;
      index.bytes.set(file.name, bytes);
      index.protos.set(file.name, file);
      indexSymbols(index, file);
    }
  }
  return index;
}

// Slices each `repeated FileDescriptorProto file = 1` out of the set without
// re-encoding, so the served bytes are exactly what buf produced.
function rawFiles(set: Uint8Array): Uint8Array[] {
  const reader = new BinaryReader(set);
  const out: Uint8Array[] = [];
  while (reader.pos < reader.len) {
    const [fieldNo, wireType] = reader.tag();
    if (fieldNo === 1 && wireType === WireType.LengthDelimited) out.push(Uint8Array.from(reader.bytes()));
    else reader.skip(wireType);
  }
  return out;
}

function indexSymbols(index: Index, file: FileDescriptorProto): void {
  const prefix = file.package ? `${file.package}.` : '';
  const add = (symbol: string): void => {
    if (!index.symbols.has(symbol)) index.symbols.set(symbol, file.name);
  };
  const addExtensions = (scope: string, exts: FieldDescriptorProto[]): void => {
    for (const ext of exts) {
      add(scope + ext.name);
      const extendee = stripDot(ext.extendee);
      index.extensions.set(`${extendee}#${ext.number}`, file.name);
      index.extensionNumbers.set(extendee, [...(index.extensionNumbers.get(extendee) ?? []), ext.number]);
    }
  };
  // Enum values are siblings of their enum in protobuf scoping.
  const addEnums = (scope: string, enums: EnumDescriptorProto[]): void => {
    for (const e of enums) {
      add(scope + e.name);
      for (const v of e.value) add(scope + v.name);
    }
  };
  const addMessages = (scope: string, messages: DescriptorProto[]): void => {
    for (const m of messages) {
      const name = scope + m.name;
      add(name);
      index.messageTypes.add(name);
      for (const f of m.field) add(`${name}.${f.name}`);
      for (const o of m.oneofDecl) add(`${name}.${o.name}`);
      addMessages(`${name}.`, m.nestedType);
      addEnums(`${name}.`, m.enumType);
      addExtensions(`${name}.`, m.extension);
    }
  };
  addMessages(prefix, file.messageType);
  addEnums(prefix, file.enumType);
  addExtensions(prefix, file.extension);
  for (const s of file.service) {
    const name = prefix + s.name;
    add(name);
    index.services.push(name);
    for (const m of s.method) add(`${name}.${m.name}`);
  }
}

function stripDot(name: string): string {
  return name.startsWith('.') ? name.slice(1) : name;
}
