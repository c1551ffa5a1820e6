package btv.v1;

import static io.grpc.MethodDescriptor.generateFullMethodName;

/**
 * <pre>
 * GovernanceService registers tenants and AI systems and decides, before every
 * AI task, whether it may run.
 * Every RPC needs `authorization: Bearer &lt;JWT&gt;` metadata and returns
 * UNAUTHENTICATED for a missing or bad token, PERMISSION_DENIED for a role
 * that may not call it, RESOURCE_EXHAUSTED past the rate limit, UNAVAILABLE
 * when storage is down and INTERNAL for unexpected faults. The tenant is always
 * the token's `tenant_id`.
 * </pre>
 */
@javax.annotation.Generated(
    value = "by gRPC proto compiler",
    comments = "Source: btv/v1/governance.proto")
@io.grpc.stub.annotations.GrpcGenerated
public final class GovernanceServiceGrpc {

  private GovernanceServiceGrpc() {}

  public static final String SERVICE_NAME = "btv.v1.GovernanceService";

  // Static method descriptors that strictly reflect the proto.
  private static volatile io.grpc.MethodDescriptor<btv.v1.Governance.RegisterTenantRequest,
      btv.v1.Governance.RegisterTenantResponse> getRegisterTenantMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "RegisterTenant",
      requestType = btv.v1.Governance.RegisterTenantRequest.class,
      responseType = btv.v1.Governance.RegisterTenantResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<btv.v1.Governance.RegisterTenantRequest,
      btv.v1.Governance.RegisterTenantResponse> getRegisterTenantMethod() {
    io.grpc.MethodDescriptor<btv.v1.Governance.RegisterTenantRequest, btv.v1.Governance.RegisterTenantResponse> getRegisterTenantMethod;
    if ((getRegisterTenantMethod = GovernanceServiceGrpc.getRegisterTenantMethod) == null) {
      synchronized (GovernanceServiceGrpc.class) {
        if ((getRegisterTenantMethod = GovernanceServiceGrpc.getRegisterTenantMethod) == null) {
          GovernanceServiceGrpc.getRegisterTenantMethod = getRegisterTenantMethod =
              io.grpc.MethodDescriptor.<btv.v1.Governance.RegisterTenantRequest, btv.v1.Governance.RegisterTenantResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "RegisterTenant"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  btv.v1.Governance.RegisterTenantRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  btv.v1.Governance.RegisterTenantResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GovernanceServiceMethodDescriptorSupplier("RegisterTenant"))
              .build();
        }
      }
    }
    return getRegisterTenantMethod;
  }

  private static volatile io.grpc.MethodDescriptor<btv.v1.Governance.GetTenantRequest,
      btv.v1.Governance.GetTenantResponse> getGetTenantMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetTenant",
      requestType = btv.v1.Governance.GetTenantRequest.class,
      responseType = btv.v1.Governance.GetTenantResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<btv.v1.Governance.GetTenantRequest,
      btv.v1.Governance.GetTenantResponse> getGetTenantMethod() {
    io.grpc.MethodDescriptor<btv.v1.Governance.GetTenantRequest, btv.v1.Governance.GetTenantResponse> getGetTenantMethod;
    if ((getGetTenantMethod = GovernanceServiceGrpc.getGetTenantMethod) == null) {
      synchronized (GovernanceServiceGrpc.class) {
        if ((getGetTenantMethod = GovernanceServiceGrpc.getGetTenantMethod) == null) {
          GovernanceServiceGrpc.getGetTenantMethod = getGetTenantMethod =
              io.grpc.MethodDescriptor.<btv.v1.Governance.GetTenantRequest, btv.v1.Governance.GetTenantResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetTenant"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  btv.v1.Governance.GetTenantRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  btv.v1.Governance.GetTenantResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GovernanceServiceMethodDescriptorSupplier("GetTenant"))
              .build();
        }
      }
    }
    return getGetTenantMethod;
  }

  private static volatile io.grpc.MethodDescriptor<btv.v1.Governance.RegisterSystemRequest,
      btv.v1.Governance.RegisterSystemResponse> getRegisterSystemMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "RegisterSystem",
      requestType = btv.v1.Governance.RegisterSystemRequest.class,
      responseType = btv.v1.Governance.RegisterSystemResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<btv.v1.Governance.RegisterSystemRequest,
      btv.v1.Governance.RegisterSystemResponse> getRegisterSystemMethod() {
    io.grpc.MethodDescriptor<btv.v1.Governance.RegisterSystemRequest, btv.v1.Governance.RegisterSystemResponse> getRegisterSystemMethod;
    if ((getRegisterSystemMethod = GovernanceServiceGrpc.getRegisterSystemMethod) == null) {
      synchronized (GovernanceServiceGrpc.class) {
        if ((getRegisterSystemMethod = GovernanceServiceGrpc.getRegisterSystemMethod) == null) {
          GovernanceServiceGrpc.getRegisterSystemMethod = getRegisterSystemMethod =
              io.grpc.MethodDescriptor.<btv.v1.Governance.RegisterSystemRequest, btv.v1.Governance.RegisterSystemResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "RegisterSystem"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  btv.v1.Governance.RegisterSystemRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  btv.v1.Governance.RegisterSystemResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GovernanceServiceMethodDescriptorSupplier("RegisterSystem"))
              .build();
        }
      }
    }
    return getRegisterSystemMethod;
  }

  private static volatile io.grpc.MethodDescriptor<btv.v1.Governance.GetSystemRequest,
      btv.v1.Governance.GetSystemResponse> getGetSystemMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetSystem",
      requestType = btv.v1.Governance.GetSystemRequest.class,
      responseType = btv.v1.Governance.GetSystemResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<btv.v1.Governance.GetSystemRequest,
      btv.v1.Governance.GetSystemResponse> getGetSystemMethod() {
    io.grpc.MethodDescriptor<btv.v1.Governance.GetSystemRequest, btv.v1.Governance.GetSystemResponse> getGetSystemMethod;
    if ((getGetSystemMethod = GovernanceServiceGrpc.getGetSystemMethod) == null) {
      synchronized (GovernanceServiceGrpc.class) {
        if ((getGetSystemMethod = GovernanceServiceGrpc.getGetSystemMethod) == null) {
          GovernanceServiceGrpc.getGetSystemMethod = getGetSystemMethod =
              io.grpc.MethodDescriptor.<btv.v1.Governance.GetSystemRequest, btv.v1.Governance.GetSystemResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetSystem"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  btv.v1.Governance.GetSystemRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  btv.v1.Governance.GetSystemResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GovernanceServiceMethodDescriptorSupplier("GetSystem"))
              .build();
        }
      }
    }
    return getGetSystemMethod;
  }

  private static volatile io.grpc.MethodDescriptor<btv.v1.Governance.ListSystemsRequest,
      btv.v1.Governance.ListSystemsResponse> getListSystemsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListSystems",
      requestType = btv.v1.Governance.ListSystemsRequest.class,
      responseType = btv.v1.Governance.ListSystemsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<btv.v1.Governance.ListSystemsRequest,
      btv.v1.Governance.ListSystemsResponse> getListSystemsMethod() {
    io.grpc.MethodDescriptor<btv.v1.Governance.ListSystemsRequest, btv.v1.Governance.ListSystemsResponse> getListSystemsMethod;
    if ((getListSystemsMethod = GovernanceServiceGrpc.getListSystemsMethod) == null) {
      synchronized (GovernanceServiceGrpc.class) {
        if ((getListSystemsMethod = GovernanceServiceGrpc.getListSystemsMethod) == null) {
          GovernanceServiceGrpc.getListSystemsMethod = getListSystemsMethod =
              io.grpc.MethodDescriptor.<btv.v1.Governance.ListSystemsRequest, btv.v1.Governance.ListSystemsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListSystems"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  btv.v1.Governance.ListSystemsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  btv.v1.Governance.ListSystemsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GovernanceServiceMethodDescriptorSupplier("ListSystems"))
              .build();
        }
      }
    }
    return getListSystemsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<btv.v1.Governance.EnforceRequest,
      btv.v1.Governance.EnforceResponse> getEnforceMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "Enforce",
      requestType = btv.v1.Governance.EnforceRequest.class,
      responseType = btv.v1.Governance.EnforceResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<btv.v1.Governance.EnforceRequest,
      btv.v1.Governance.EnforceResponse> getEnforceMethod() {
    io.grpc.MethodDescriptor<btv.v1.Governance.EnforceRequest, btv.v1.Governance.EnforceResponse> getEnforceMethod;
    if ((getEnforceMethod = GovernanceServiceGrpc.getEnforceMethod) == null) {
      synchronized (GovernanceServiceGrpc.class) {
        if ((getEnforceMethod = GovernanceServiceGrpc.getEnforceMethod) == null) {
          GovernanceServiceGrpc.getEnforceMethod = getEnforceMethod =
              io.grpc.MethodDescriptor.<btv.v1.Governance.EnforceRequest, btv.v1.Governance.EnforceResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "Enforce"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  btv.v1.Governance.EnforceRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  btv.v1.Governance.EnforceResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GovernanceServiceMethodDescriptorSupplier("Enforce"))
              .build();
        }
      }
    }
    return getEnforceMethod;
  }

  /**
   * Creates a new async stub that supports all call types for the service
   */
  public static GovernanceServiceStub newStub(io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<GovernanceServiceStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<GovernanceServiceStub>() {
        @java.lang.Override
        public GovernanceServiceStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new GovernanceServiceStub(channel, callOptions);
        }
      };
    return GovernanceServiceStub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports unary and streaming output calls on the service
   */
  public static GovernanceServiceBlockingStub newBlockingStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<GovernanceServiceBlockingStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<GovernanceServiceBlockingStub>() {
        @java.lang.Override
        public GovernanceServiceBlockingStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new GovernanceServiceBlockingStub(channel, callOptions);
        }
      };
    return GovernanceServiceBlockingStub.newStub(factory, channel);
  }

  /**
   * Creates a new ListenableFuture-style stub that supports unary calls on the service
   */
  public static GovernanceServiceFutureStub newFutureStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<GovernanceServiceFutureStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<GovernanceServiceFutureStub>() {
        @java.lang.Override
        public GovernanceServiceFutureStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new GovernanceServiceFutureStub(channel, callOptions);
        }
      };
    return GovernanceServiceFutureStub.newStub(factory, channel);
  }

  /**
   * <pre>
   * GovernanceService registers tenants and AI systems and decides, before every
   * AI task, whether it may run.
   * Every RPC needs `authorization: Bearer &lt;JWT&gt;` metadata and returns
   * UNAUTHENTICATED for a missing or bad token, PERMISSION_DENIED for a role
   * that may not call it, RESOURCE_EXHAUSTED past the rate limit, UNAVAILABLE
   * when storage is down and INTERNAL for unexpected faults. The tenant is always
   * the token's `tenant_id`.
   * </pre>
   */
  public static abstract class GovernanceServiceImplBase implements io.grpc.BindableService {

    /**
     * <pre>
     * RegisterTenant registers or updates the caller's tenant (admin).
     * INVALID_ARGUMENT when tenant.id is not a UUID or a field is invalid;
     * PERMISSION_DENIED when tenant.id is not the token's tenant.
     * </pre>
     */
    public void registerTenant(btv.v1.Governance.RegisterTenantRequest request,
        io.grpc.stub.StreamObserver<btv.v1.Governance.RegisterTenantResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getRegisterTenantMethod(), responseObserver);
    }

    /**
     * <pre>
     * GetTenant returns the caller's tenant (admin). NOT_FOUND before it is
     * registered.
     * </pre>
     */
    public void getTenant(btv.v1.Governance.GetTenantRequest request,
        io.grpc.stub.StreamObserver<btv.v1.Governance.GetTenantResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetTenantMethod(), responseObserver);
    }

    /**
     * <pre>
     * RegisterSystem registers an AI system or updates the one with the same id
     * (admin, dev). INVALID_ARGUMENT names the first invalid field.
     * </pre>
     */
    public void registerSystem(btv.v1.Governance.RegisterSystemRequest request,
        io.grpc.stub.StreamObserver<btv.v1.Governance.RegisterSystemResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getRegisterSystemMethod(), responseObserver);
    }

    /**
     * <pre>
     * GetSystem returns one system of the caller's tenant (admin, dev, auditor).
     * NOT_FOUND when it does not exist in this tenant.
     * </pre>
     */
    public void getSystem(btv.v1.Governance.GetSystemRequest request,
        io.grpc.stub.StreamObserver<btv.v1.Governance.GetSystemResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetSystemMethod(), responseObserver);
    }

    /**
     * <pre>
     * ListSystems pages through the tenant's systems ordered by id (admin, dev,
     * auditor). INVALID_ARGUMENT for a bad page_size or page_token.
     * </pre>
     */
    public void listSystems(btv.v1.Governance.ListSystemsRequest request,
        io.grpc.stub.StreamObserver<btv.v1.Governance.ListSystemsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListSystemsMethod(), responseObserver);
    }

    /**
     * <pre>
     * Enforce decides whether an AI task may run (admin, dev, app). The kill
     * switch is checked first; every decision is ledgered before the answer.
     * INVALID_ARGUMENT for a missing or unknown env; NOT_FOUND for an unknown
     * system; UNAVAILABLE (fail closed) when the ledger cannot be written.
     * </pre>
     */
    public void enforce(btv.v1.Governance.EnforceRequest request,
        io.grpc.stub.StreamObserver<btv.v1.Governance.EnforceResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getEnforceMethod(), responseObserver);
    }

    @java.lang.Override public final io.grpc.ServerServiceDefinition bindService() {
      return io.grpc.ServerServiceDefinition.builder(getServiceDescriptor())
          .addMethod(
            getRegisterTenantMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                btv.v1.Governance.RegisterTenantRequest,
                btv.v1.Governance.RegisterTenantResponse>(
                  this, METHODID_REGISTER_TENANT)))
          .addMethod(
            getGetTenantMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                btv.v1.Governance.GetTenantRequest,
                btv.v1.Governance.GetTenantResponse>(
                  this, METHODID_GET_TENANT)))
          .addMethod(
            getRegisterSystemMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                btv.v1.Governance.RegisterSystemRequest,
                btv.v1.Governance.RegisterSystemResponse>(
                  this, METHODID_REGISTER_SYSTEM)))
          .addMethod(
            getGetSystemMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                btv.v1.Governance.GetSystemRequest,
                btv.v1.Governance.GetSystemResponse>(
                  this, METHODID_GET_SYSTEM)))
          .addMethod(
            getListSystemsMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                btv.v1.Governance.ListSystemsRequest,
                btv.v1.Governance.ListSystemsResponse>(
                  this, METHODID_LIST_SYSTEMS)))
          .addMethod(
            getEnforceMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                btv.v1.Governance.EnforceRequest,
                btv.v1.Governance.EnforceResponse>(
                  this, METHODID_ENFORCE)))
          .build();
    }
  }

  /**
   * <pre>
   * GovernanceService registers tenants and AI systems and decides, before every
   * AI task, whether it may run.
   * Every RPC needs `authorization: Bearer &lt;JWT&gt;` metadata and returns
   * UNAUTHENTICATED for a missing or bad token, PERMISSION_DENIED for a role
   * that may not call it, RESOURCE_EXHAUSTED past the rate limit, UNAVAILABLE
   * when storage is down and INTERNAL for unexpected faults. The tenant is always
   * the token's `tenant_id`.
   * </pre>
   */
  public static final class GovernanceServiceStub extends io.grpc.stub.AbstractAsyncStub<GovernanceServiceStub> {
    private GovernanceServiceStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected GovernanceServiceStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new GovernanceServiceStub(channel, callOptions);
    }

    /**
     * <pre>
     * RegisterTenant registers or updates the caller's tenant (admin).
     * INVALID_ARGUMENT when tenant.id is not a UUID or a field is invalid;
     * PERMISSION_DENIED when tenant.id is not the token's tenant.
     * </pre>
     */
    public void registerTenant(btv.v1.Governance.RegisterTenantRequest request,
        io.grpc.stub.StreamObserver<btv.v1.Governance.RegisterTenantResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getRegisterTenantMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * GetTenant returns the caller's tenant (admin). NOT_FOUND before it is
     * registered.
     * </pre>
     */
    public void getTenant(btv.v1.Governance.GetTenantRequest request,
        io.grpc.stub.StreamObserver<btv.v1.Governance.GetTenantResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetTenantMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * RegisterSystem registers an AI system or updates the one with the same id
     * (admin, dev). INVALID_ARGUMENT names the first invalid field.
     * </pre>
     */
    public void registerSystem(btv.v1.Governance.RegisterSystemRequest request,
        io.grpc.stub.StreamObserver<btv.v1.Governance.RegisterSystemResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getRegisterSystemMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * GetSystem returns one system of the caller's tenant (admin, dev, auditor).
     * NOT_FOUND when it does not exist in this tenant.
     * </pre>
     */
    public void getSystem(btv.v1.Governance.GetSystemRequest request,
        io.grpc.stub.StreamObserver<btv.v1.Governance.GetSystemResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetSystemMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * ListSystems pages through the tenant's systems ordered by id (admin, dev,
     * auditor). INVALID_ARGUMENT for a bad page_size or page_token.
     * </pre>
     */
    public void listSystems(btv.v1.Governance.ListSystemsRequest request,
        io.grpc.stub.StreamObserver<btv.v1.Governance.ListSystemsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListSystemsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Enforce decides whether an AI task may run (admin, dev, app). The kill
     * switch is checked first; every decision is ledgered before the answer.
     * INVALID_ARGUMENT for a missing or unknown env; NOT_FOUND for an unknown
     * system; UNAVAILABLE (fail closed) when the ledger cannot be written.
     * </pre>
     */
    public void enforce(btv.v1.Governance.EnforceRequest request,
        io.grpc.stub.StreamObserver<btv.v1.Governance.EnforceResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getEnforceMethod(), getCallOptions()), request, responseObserver);
    }
  }

  /**
   * <pre>
   * GovernanceService registers tenants and AI systems and decides, before every
   * AI task, whether it may run.
   * Every RPC needs `authorization: Bearer &lt;JWT&gt;` metadata and returns
   * UNAUTHENTICATED for a missing or bad token, PERMISSION_DENIED for a role
   * that may not call it, RESOURCE_EXHAUSTED past the rate limit, UNAVAILABLE
   * when storage is down and INTERNAL for unexpected faults. The tenant is always
   * the token's `tenant_id`.
   * </pre>
   */
  public static final class GovernanceServiceBlockingStub extends io.grpc.stub.AbstractBlockingStub<GovernanceServiceBlockingStub> {
    private GovernanceServiceBlockingStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected GovernanceServiceBlockingStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new GovernanceServiceBlockingStub(channel, callOptions);
    }

    /**
     * <pre>
     * RegisterTenant registers or updates the caller's tenant (admin).
     * INVALID_ARGUMENT when tenant.id is not a UUID or a field is invalid;
     * PERMISSION_DENIED when tenant.id is not the token's tenant.
     * </pre>
     */
    public btv.v1.Governance.RegisterTenantResponse registerTenant(btv.v1.Governance.RegisterTenantRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getRegisterTenantMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * GetTenant returns the caller's tenant (admin). NOT_FOUND before it is
     * registered.
     * </pre>
     */
    public btv.v1.Governance.GetTenantResponse getTenant(btv.v1.Governance.GetTenantRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetTenantMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * RegisterSystem registers an AI system or updates the one with the same id
     * (admin, dev). INVALID_ARGUMENT names the first invalid field.
     * </pre>
     */
    public btv.v1.Governance.RegisterSystemResponse registerSystem(btv.v1.Governance.RegisterSystemRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getRegisterSystemMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * GetSystem returns one system of the caller's tenant (admin, dev, auditor).
     * NOT_FOUND when it does not exist in this tenant.
     * </pre>
     */
    public btv.v1.Governance.GetSystemResponse getSystem(btv.v1.Governance.GetSystemRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetSystemMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListSystems pages through the tenant's systems ordered by id (admin, dev,
     * auditor). INVALID_ARGUMENT for a bad page_size or page_token.
     * </pre>
     */
    public btv.v1.Governance.ListSystemsResponse listSystems(btv.v1.Governance.ListSystemsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListSystemsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Enforce decides whether an AI task may run (admin, dev, app). The kill
     * switch is checked first; every decision is ledgered before the answer.
     * INVALID_ARGUMENT for a missing or unknown env; NOT_FOUND for an unknown
     * system; UNAVAILABLE (fail closed) when the ledger cannot be written.
     * </pre>
     */
    public btv.v1.Governance.EnforceResponse enforce(btv.v1.Governance.EnforceRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getEnforceMethod(), getCallOptions(), request);
    }
  }

  /**
   * <pre>
   * GovernanceService registers tenants and AI systems and decides, before every
   * AI task, whether it may run.
   * Every RPC needs `authorization: Bearer &lt;JWT&gt;` metadata and returns
   * UNAUTHENTICATED for a missing or bad token, PERMISSION_DENIED for a role
   * that may not call it, RESOURCE_EXHAUSTED past the rate limit, UNAVAILABLE
   * when storage is down and INTERNAL for unexpected faults. The tenant is always
   * the token's `tenant_id`.
   * </pre>
   */
  public static final class GovernanceServiceFutureStub extends io.grpc.stub.AbstractFutureStub<GovernanceServiceFutureStub> {
    private GovernanceServiceFutureStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected GovernanceServiceFutureStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new GovernanceServiceFutureStub(channel, callOptions);
    }

    /**
     * <pre>
     * RegisterTenant registers or updates the caller's tenant (admin).
     * INVALID_ARGUMENT when tenant.id is not a UUID or a field is invalid;
     * PERMISSION_DENIED when tenant.id is not the token's tenant.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<btv.v1.Governance.RegisterTenantResponse> registerTenant(
        btv.v1.Governance.RegisterTenantRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getRegisterTenantMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * GetTenant returns the caller's tenant (admin). NOT_FOUND before it is
     * registered.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<btv.v1.Governance.GetTenantResponse> getTenant(
        btv.v1.Governance.GetTenantRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetTenantMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * RegisterSystem registers an AI system or updates the one with the same id
     * (admin, dev). INVALID_ARGUMENT names the first invalid field.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<btv.v1.Governance.RegisterSystemResponse> registerSystem(
        btv.v1.Governance.RegisterSystemRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getRegisterSystemMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * GetSystem returns one system of the caller's tenant (admin, dev, auditor).
     * NOT_FOUND when it does not exist in this tenant.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<btv.v1.Governance.GetSystemResponse> getSystem(
        btv.v1.Governance.GetSystemRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetSystemMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * ListSystems pages through the tenant's systems ordered by id (admin, dev,
     * auditor). INVALID_ARGUMENT for a bad page_size or page_token.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<btv.v1.Governance.ListSystemsResponse> listSystems(
        btv.v1.Governance.ListSystemsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListSystemsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Enforce decides whether an AI task may run (admin, dev, app). The kill
     * switch is checked first; every decision is ledgered before the answer.
     * INVALID_ARGUMENT for a missing or unknown env; NOT_FOUND for an unknown
     * system; UNAVAILABLE (fail closed) when the ledger cannot be written.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<btv.v1.Governance.EnforceResponse> enforce(
        btv.v1.Governance.EnforceRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getEnforceMethod(), getCallOptions()), request);
    }
  }

  private static final int METHODID_REGISTER_TENANT = 0;
  private static final int METHODID_GET_TENANT = 1;
  private static final int METHODID_REGISTER_SYSTEM = 2;
  private static final int METHODID_GET_SYSTEM = 3;
  private static final int METHODID_LIST_SYSTEMS = 4;
  private static final int METHODID_ENFORCE = 5;

  private static final class MethodHandlers<Req, Resp> implements
      io.grpc.stub.ServerCalls.UnaryMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.ServerStreamingMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.ClientStreamingMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.BidiStreamingMethod<Req, Resp> {
    private final GovernanceServiceImplBase serviceImpl;
    private final int methodId;

    MethodHandlers(GovernanceServiceImplBase serviceImpl, int methodId) {
      this.serviceImpl = serviceImpl;
      this.methodId = methodId;
    }

    @java.lang.Override
    @java.lang.SuppressWarnings("unchecked")
    public void invoke(Req request, io.grpc.stub.StreamObserver<Resp> responseObserver) {
      switch (methodId) {
        case METHODID_REGISTER_TENANT:
          serviceImpl.registerTenant((btv.v1.Governance.RegisterTenantRequest) request,
              (io.grpc.stub.StreamObserver<btv.v1.Governance.RegisterTenantResponse>) responseObserver);
          break;
        case METHODID_GET_TENANT:
          serviceImpl.getTenant((btv.v1.Governance.GetTenantRequest) request,
              (io.grpc.stub.StreamObserver<btv.v1.Governance.GetTenantResponse>) responseObserver);
          break;
        case METHODID_REGISTER_SYSTEM:
          serviceImpl.registerSystem((btv.v1.Governance.RegisterSystemRequest) request,
              (io.grpc.stub.StreamObserver<btv.v1.Governance.RegisterSystemResponse>) responseObserver);
          break;
        case METHODID_GET_SYSTEM:
          serviceImpl.getSystem((btv.v1.Governance.GetSystemRequest) request,
              (io.grpc.stub.StreamObserver<btv.v1.Governance.GetSystemResponse>) responseObserver);
          break;
        case METHODID_LIST_SYSTEMS:
          serviceImpl.listSystems((btv.v1.Governance.ListSystemsRequest) request,
              (io.grpc.stub.StreamObserver<btv.v1.Governance.ListSystemsResponse>) responseObserver);
          break;
        case METHODID_ENFORCE:
          serviceImpl.enforce((btv.v1.Governance.EnforceRequest) request,
              (io.grpc.stub.StreamObserver<btv.v1.Governance.EnforceResponse>) responseObserver);
          break;
        default:
          throw new AssertionError();
      }
    }

    @java.lang.Override
    @java.lang.SuppressWarnings("unchecked")
    public io.grpc.stub.StreamObserver<Req> invoke(
        io.grpc.stub.StreamObserver<Resp> responseObserver) {
      switch (methodId) {
        default:
          throw new AssertionError();
      }
    }
  }

  private static abstract class GovernanceServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoFileDescriptorSupplier, io.grpc.protobuf.ProtoServiceDescriptorSupplier {
    GovernanceServiceBaseDescriptorSupplier() {}

    @java.lang.Override
    public com.google.protobuf.Descriptors.FileDescriptor getFileDescriptor() {
      return btv.v1.Governance.getDescriptor();
    }

    @java.lang.Override
    public com.google.protobuf.Descriptors.ServiceDescriptor getServiceDescriptor() {
      return getFileDescriptor().findServiceByName("GovernanceService");
    }
  }

  private static final class GovernanceServiceFileDescriptorSupplier
      extends GovernanceServiceBaseDescriptorSupplier {
    GovernanceServiceFileDescriptorSupplier() {}
  }

  private static final class GovernanceServiceMethodDescriptorSupplier
      extends GovernanceServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoMethodDescriptorSupplier {
    private final String methodName;

    GovernanceServiceMethodDescriptorSupplier(String methodName) {
      this.methodName = methodName;
    }

    @java.lang.Override
    public com.google.protobuf.Descriptors.MethodDescriptor getMethodDescriptor() {
      return getServiceDescriptor().findMethodByName(methodName);
    }
  }

  private static volatile io.grpc.ServiceDescriptor serviceDescriptor;

  public static io.grpc.ServiceDescriptor getServiceDescriptor() {
    io.grpc.ServiceDescriptor result = serviceDescriptor;
    if (result == null) {
      synchronized (GovernanceServiceGrpc.class) {
        result = serviceDescriptor;
        if (result == null) {
          serviceDescriptor = result = io.grpc.ServiceDescriptor.newBuilder(SERVICE_NAME)
              .setSchemaDescriptor(new GovernanceServiceFileDescriptorSupplier())
              .addMethod(getRegisterTenantMethod())
              .addMethod(getGetTenantMethod())
              .addMethod(getRegisterSystemMethod())
              .addMethod(getGetSystemMethod())
              .addMethod(getListSystemsMethod())
              .addMethod(getEnforceMethod())
              .build();
        }
      }
    }
    return result;
  }
}
