/**
 * The baseline for the Enforce benchmark: a plain grpc-js server whose one
 * unary method answers its request bytes unchanged (no auth, no parsing).
 * Prints "port N" once listening.
 */
import * as grpc from '@grpc/grpc-js';

const identity = (b: Buffer) => b;
const server = new grpc.Server();
server.addService(
  {
    echo: {
      path: '/bench.Echo/Echo',
      requestStream: false,
      responseStream: false,
      requestSerialize: identity,
      requestDeserialize: identity,
      responseSerialize: identity,
      responseDeserialize: identity,
    },
  },
  { echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => cb(null, call.request) },
);
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) throw err;
  process.stdout.write(`port ${port}\n`);
});
process.on('SIGTERM', () => server.forceShutdown());
