package btv.v1;

import static io.grpc.MethodDescriptor.generateFullMethodName;

/**
 * <pre>
 * OperationsService is the kill switch: it changes the operational status and
 * lifecycle phase of AI systems and streams those changes.
 * Every RPC needs `authorization: Bearer &lt;JWT&gt;` metadata and returns
 * UNAUTHENTICATED, PERMISSION_DENIED, NOT_FOUND (system not in the caller's
 * tenant), RESOURCE_EXHAUSTED, UNAVAILABLE and INTERNAL as GovernanceService.
 * </pre>
 */
@javax.annotation.Generated(
    value = "by gRPC proto compiler",
    comments = "Source: btv/v1/operations.proto")
@io.grpc.stub.annotations.GrpcGenerated
public final class OperationsServiceGrpc {

  private OperationsServiceGrpc() {}

  public static final String SERVICE_NAME = "btv.v1.OperationsService";

  // Static method descriptors that strictly reflect the proto.
  private static volatile io.grpc.MethodDescriptor<btv.v1.Operations.EmergencyStopRequest,
      btv.v1.Operations.EmergencyStopResponse> getEmergencyStopMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "EmergencyStop",
      requestType = btv.v1.Operations.EmergencyStopRequest.class,
      responseType = btv.v1.Operations.EmergencyStopResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<btv.v1.Operations.EmergencyStopRequest,
      btv.v1.Operations.EmergencyStopResponse> getEmergencyStopMethod() {
    io.grpc.MethodDescriptor<btv.v1.Operations.EmergencyStopRequest, btv.v1.Operations.EmergencyStopResponse> getEmergencyStopMethod;
    if ((getEmergencyStopMethod = OperationsServiceGrpc.getEmergencyStopMethod) == null) {
      synchronized (OperationsServiceGrpc.class) {
        if ((getEmergencyStopMethod = OperationsServiceGrpc.getEmergencyStopMethod) == null) {
          OperationsServiceGrpc.getEmergencyStopMethod = getEmergencyStopMethod =
              io.grpc.MethodDescriptor.<btv.v1.Operations.EmergencyStopRequest, btv.v1.Operations.EmergencyStopResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "EmergencyStop"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  btv.v1.Operations.EmergencyStopRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  btv.v1.Operations.EmergencyStopResponse.getDefaultInstance()))
              .setSchemaDescriptor(new OperationsServiceMethodDescriptorSupplier("EmergencyStop"))
              .build();
        }
      }
    }
    return getEmergencyStopMethod;
  }

  private static volatile io.grpc.MethodDescriptor<btv.v1.Operations.SetOperationalStatusRequest,
      btv.v1.Operations.SetOperationalStatusResponse> getSetOperationalStatusMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "SetOperationalStatus",
      requestType = btv.v1.Operations.SetOperationalStatusRequest.class,
      responseType = btv.v1.Operations.SetOperationalStatusResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<btv.v1.Operations.SetOperationalStatusRequest,
      btv.v1.Operations.SetOperationalStatusResponse> getSetOperationalStatusMethod() {
    io.grpc.MethodDescriptor<btv.v1.Operations.SetOperationalStatusRequest, btv.v1.Operations.SetOperationalStatusResponse> getSetOperationalStatusMethod;
    if ((getSetOperationalStatusMethod = OperationsServiceGrpc.getSetOperationalStatusMethod) == null) {
      synchronized (OperationsServiceGrpc.class) {
        if ((getSetOperationalStatusMethod = OperationsServiceGrpc.getSetOperationalStatusMethod) == null) {
          OperationsServiceGrpc.getSetOperationalStatusMethod = getSetOperationalStatusMethod =
              io.grpc.MethodDescriptor.<btv.v1.Operations.SetOperationalStatusRequest, btv.v1.Operations.SetOperationalStatusResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "SetOperationalStatus"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  btv.v1.Operations.SetOperationalStatusRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  btv.v1.Operations.SetOperationalStatusResponse.getDefaultInstance()))
              .setSchemaDescriptor(new OperationsServiceMethodDescriptorSupplier("SetOperationalStatus"))
              .build();
        }
      }
    }
    return getSetOperationalStatusMethod;
  }

  private static volatile io.grpc.MethodDescriptor<btv.v1.Operations.SetLifecyclePhaseRequest,
      btv.v1.Operations.SetLifecyclePhaseResponse> getSetLifecyclePhaseMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "SetLifecyclePhase",
      requestType = btv.v1.Operations.SetLifecyclePhaseRequest.class,
      responseType = btv.v1.Operations.SetLifecyclePhaseResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<btv.v1.Operations.SetLifecyclePhaseRequest,
      btv.v1.Operations.SetLifecyclePhaseResponse> getSetLifecyclePhaseMethod() {
    io.grpc.MethodDescriptor<btv.v1.Operations.SetLifecyclePhaseRequest, btv.v1.Operations.SetLifecyclePhaseResponse> getSetLifecyclePhaseMethod;
    if ((getSetLifecyclePhaseMethod = OperationsServiceGrpc.getSetLifecyclePhaseMethod) == null) {
      synchronized (OperationsServiceGrpc.class) {
        if ((getSetLifecyclePhaseMethod = OperationsServiceGrpc.getSetLifecyclePhaseMethod) == null) {
          OperationsServiceGrpc.getSetLifecyclePhaseMethod = getSetLifecyclePhaseMethod =
              io.grpc.MethodDescriptor.<btv.v1.Operations.SetLifecyclePhaseRequest, btv.v1.Operations.SetLifecyclePhaseResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "SetLifecyclePhase"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  btv.v1.Operations.SetLifecyclePhaseRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  btv.v1.Operations.SetLifecyclePhaseResponse.getDefaultInstance()))
              .setSchemaDescriptor(new OperationsServiceMethodDescriptorSupplier("SetLifecyclePhase"))
              .build();
        }
      }
    }
    return getSetLifecyclePhaseMethod;
  }

  private static volatile io.grpc.MethodDescriptor<btv.v1.Operations.GetOperationalStatusRequest,
      btv.v1.Operations.GetOperationalStatusResponse> getGetOperationalStatusMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetOperationalStatus",
      requestType = btv.v1.Operations.GetOperationalStatusRequest.class,
      responseType = btv.v1.Operations.GetOperationalStatusResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<btv.v1.Operations.GetOperationalStatusRequest,
      btv.v1.Operations.GetOperationalStatusResponse> getGetOperationalStatusMethod() {
    io.grpc.MethodDescriptor<btv.v1.Operations.GetOperationalStatusRequest, btv.v1.Operations.GetOperationalStatusResponse> getGetOperationalStatusMethod;
    if ((getGetOperationalStatusMethod = OperationsServiceGrpc.getGetOperationalStatusMethod) == null) {
      synchronized (OperationsServiceGrpc.class) {
        if ((getGetOperationalStatusMethod = OperationsServiceGrpc.getGetOperationalStatusMethod) == null) {
          OperationsServiceGrpc.getGetOperationalStatusMethod = getGetOperationalStatusMethod =
              io.grpc.MethodDescriptor.<btv.v1.Operations.GetOperationalStatusRequest, btv.v1.Operations.GetOperationalStatusResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetOperationalStatus"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  btv.v1.Operations.GetOperationalStatusRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  btv.v1.Operations.GetOperationalStatusResponse.getDefaultInstance()))
              .setSchemaDescriptor(new OperationsServiceMethodDescriptorSupplier("GetOperationalStatus"))
              .build();
        }
      }
    }
    return getGetOperationalStatusMethod;
  }

  private static volatile io.grpc.MethodDescriptor<btv.v1.Operations.WatchSystemStatusRequest,
      btv.v1.Operations.WatchSystemStatusResponse> getWatchSystemStatusMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "WatchSystemStatus",
      requestType = btv.v1.Operations.WatchSystemStatusRequest.class,
      responseType = btv.v1.Operations.WatchSystemStatusResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.SERVER_STREAMING)
  public static io.grpc.MethodDescriptor<btv.v1.Operations.WatchSystemStatusRequest,
      btv.v1.Operations.WatchSystemStatusResponse> getWatchSystemStatusMethod() {
    io.grpc.MethodDescriptor<btv.v1.Operations.WatchSystemStatusRequest, btv.v1.Operations.WatchSystemStatusResponse> getWatchSystemStatusMethod;
    if ((getWatchSystemStatusMethod = OperationsServiceGrpc.getWatchSystemStatusMethod) == null) {
      synchronized (OperationsServiceGrpc.class) {
        if ((getWatchSystemStatusMethod = OperationsServiceGrpc.getWatchSystemStatusMethod) == null) {
          OperationsServiceGrpc.getWatchSystemStatusMethod = getWatchSystemStatusMethod =
              io.grpc.MethodDescriptor.<btv.v1.Operations.WatchSystemStatusRequest, btv.v1.Operations.WatchSystemStatusResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.SERVER_STREAMING)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "WatchSystemStatus"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  btv.v1.Operations.WatchSystemStatusRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  btv.v1.Operations.WatchSystemStatusResponse.getDefaultInstance()))
              .setSchemaDescriptor(new OperationsServiceMethodDescriptorSupplier("WatchSystemStatus"))
              .build();
        }
      }
    }
    return getWatchSystemStatusMethod;
  }

  /**
   * Creates a new async stub that supports all call types for the service
   */
  public static OperationsServiceStub newStub(io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<OperationsServiceStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<OperationsServiceStub>() {
        @java.lang.Override
        public OperationsServiceStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new OperationsServiceStub(channel, callOptions);
        }
      };
    return OperationsServiceStub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports unary and streaming output calls on the service
   */
  public static OperationsServiceBlockingStub newBlockingStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<OperationsServiceBlockingStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<OperationsServiceBlockingStub>() {
        @java.lang.Override
        public OperationsServiceBlockingStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new OperationsServiceBlockingStub(channel, callOptions);
        }
      };
    return OperationsServiceBlockingStub.newStub(factory, channel);
  }

  /**
   * Creates a new ListenableFuture-style stub that supports unary calls on the service
   */
  public static OperationsServiceFutureStub newFutureStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<OperationsServiceFutureStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<OperationsServiceFutureStub>() {
        @java.lang.Override
        public OperationsServiceFutureStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new OperationsServiceFutureStub(channel, callOptions);
        }
      };
    return OperationsServiceFutureStub.newStub(factory, channel);
  }

  /**
   * <pre>
   * OperationsService is the kill switch: it changes the operational status and
   * lifecycle phase of AI systems and streams those changes.
   * Every RPC needs `authorization: Bearer &lt;JWT&gt;` metadata and returns
   * UNAUTHENTICATED, PERMISSION_DENIED, NOT_FOUND (system not in the caller's
   * tenant), RESOURCE_EXHAUSTED, UNAVAILABLE and INTERNAL as GovernanceService.
   * </pre>
   */
  public static abstract class OperationsServiceImplBase implements io.grpc.BindableService {

    /**
     * <pre>
     * EmergencyStop puts a system in emergency stop at once (admin).
     * INVALID_ARGUMENT when reason is empty. Never rate limited.
     * </pre>
     */
    public void emergencyStop(btv.v1.Operations.EmergencyStopRequest request,
        io.grpc.stub.StreamObserver<btv.v1.Operations.EmergencyStopResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getEmergencyStopMethod(), responseObserver);
    }

    /**
     * <pre>
     * SetOperationalStatus changes the operational status (admin, dev; only
     * admin may enter or leave emergency stop, and entering it needs a reason
     * as EmergencyStop does). FAILED_PRECONDITION for an impossible transition.
     * Counts against the tenant's "operations" quota (RESOURCE_EXHAUSTED /
     * RATE_LIMITED when spent), except a change to emergency stop, which is
     * never limited.
     * </pre>
     */
    public void setOperationalStatus(btv.v1.Operations.SetOperationalStatusRequest request,
        io.grpc.stub.StreamObserver<btv.v1.Operations.SetOperationalStatusResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getSetOperationalStatusMethod(), responseObserver);
    }

    /**
     * <pre>
     * SetLifecyclePhase changes the lifecycle phase (admin, dev).
     * FAILED_PRECONDITION for an impossible transition. Counts against the
     * tenant's "operations" quota.
     * </pre>
     */
    public void setLifecyclePhase(btv.v1.Operations.SetLifecyclePhaseRequest request,
        io.grpc.stub.StreamObserver<btv.v1.Operations.SetLifecyclePhaseResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getSetLifecyclePhaseMethod(), responseObserver);
    }

    /**
     * <pre>
     * GetOperationalStatus returns the current status (all roles).
     * </pre>
     */
    public void getOperationalStatus(btv.v1.Operations.GetOperationalStatusRequest request,
        io.grpc.stub.StreamObserver<btv.v1.Operations.GetOperationalStatusResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetOperationalStatusMethod(), responseObserver);
    }

    /**
     * <pre>
     * WatchSystemStatus streams a snapshot of each watched system, then every
     * change in revision order, and heartbeats when idle (all roles).
     * OUT_OF_RANGE when since_revision is no longer retained; the stream ends
     * UNAUTHENTICATED when the token expires.
     * </pre>
     */
    public void watchSystemStatus(btv.v1.Operations.WatchSystemStatusRequest request,
        io.grpc.stub.StreamObserver<btv.v1.Operations.WatchSystemStatusResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getWatchSystemStatusMethod(), responseObserver);
    }

    @java.lang.Override public final io.grpc.ServerServiceDefinition bindService() {
      return io.grpc.ServerServiceDefinition.builder(getServiceDescriptor())
          .addMethod(
            getEmergencyStopMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                btv.v1.Operations.EmergencyStopRequest,
                btv.v1.Operations.EmergencyStopResponse>(
                  this, METHODID_EMERGENCY_STOP)))
          .addMethod(
            getSetOperationalStatusMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                btv.v1.Operations.SetOperationalStatusRequest,
                btv.v1.Operations.SetOperationalStatusResponse>(
                  this, METHODID_SET_OPERATIONAL_STATUS)))
          .addMethod(
            getSetLifecyclePhaseMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                btv.v1.Operations.SetLifecyclePhaseRequest,
                btv.v1.Operations.SetLifecyclePhaseResponse>(
                  this, METHODID_SET_LIFECYCLE_PHASE)))
          .addMethod(
            getGetOperationalStatusMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                btv.v1.Operations.GetOperationalStatusRequest,
                btv.v1.Operations.GetOperationalStatusResponse>(
                  this, METHODID_GET_OPERATIONAL_STATUS)))
          .addMethod(
            getWatchSystemStatusMethod(),
            io.grpc.stub.ServerCalls.asyncServerStreamingCall(
              new MethodHandlers<
                btv.v1.Operations.WatchSystemStatusRequest,
                btv.v1.Operations.WatchSystemStatusResponse>(
                  this, METHODID_WATCH_SYSTEM_STATUS)))
          .build();
    }
  }

  /**
   * <pre>
   * OperationsService is the kill switch: it changes the operational status and
   * lifecycle phase of AI systems and streams those changes.
   * Every RPC needs `authorization: Bearer &lt;JWT&gt;` metadata and returns
   * UNAUTHENTICATED, PERMISSION_DENIED, NOT_FOUND (system not in the caller's
   * tenant), RESOURCE_EXHAUSTED, UNAVAILABLE and INTERNAL as GovernanceService.
   * </pre>
   */
  public static final class OperationsServiceStub extends io.grpc.stub.AbstractAsyncStub<OperationsServiceStub> {
    private OperationsServiceStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected OperationsServiceStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new OperationsServiceStub(channel, callOptions);
    }

    /**
     * <pre>
     * EmergencyStop puts a system in emergency stop at once (admin).
     * INVALID_ARGUMENT when reason is empty. Never rate limited.
     * </pre>
     */
    public void emergencyStop(btv.v1.Operations.EmergencyStopRequest request,
        io.grpc.stub.StreamObserver<btv.v1.Operations.EmergencyStopResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getEmergencyStopMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * SetOperationalStatus changes the operational status (admin, dev; only
     * admin may enter or leave emergency stop, and entering it needs a reason
     * as EmergencyStop does). FAILED_PRECONDITION for an impossible transition.
     * Counts against the tenant's "operations" quota (RESOURCE_EXHAUSTED /
     * RATE_LIMITED when spent), except a change to emergency stop, which is
     * never limited.
     * </pre>
     */
    public void setOperationalStatus(btv.v1.Operations.SetOperationalStatusRequest request,
        io.grpc.stub.StreamObserver<btv.v1.Operations.SetOperationalStatusResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getSetOperationalStatusMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * SetLifecyclePhase changes the lifecycle phase (admin, dev).
     * FAILED_PRECONDITION for an impossible transition. Counts against the
     * tenant's "operations" quota.
     * </pre>
     */
    public void setLifecyclePhase(btv.v1.Operations.SetLifecyclePhaseRequest request,
        io.grpc.stub.StreamObserver<btv.v1.Operations.SetLifecyclePhaseResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getSetLifecyclePhaseMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * GetOperationalStatus returns the current status (all roles).
     * </pre>
     */
    public void getOperationalStatus(btv.v1.Operations.GetOperationalStatusRequest request,
        io.grpc.stub.StreamObserver<btv.v1.Operations.GetOperationalStatusResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetOperationalStatusMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * WatchSystemStatus streams a snapshot of each watched system, then every
     * change in revision order, and heartbeats when idle (all roles).
     * OUT_OF_RANGE when since_revision is no longer retained; the stream ends
     * UNAUTHENTICATED when the token expires.
     * </pre>
     */
    public void watchSystemStatus(btv.v1.Operations.WatchSystemStatusRequest request,
        io.grpc.stub.StreamObserver<btv.v1.Operations.WatchSystemStatusResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncServerStreamingCall(
          getChannel().newCall(getWatchSystemStatusMethod(), getCallOptions()), request, responseObserver);
    }
  }

  /**
   * <pre>
   * OperationsService is the kill switch: it changes the operational status and
   * lifecycle phase of AI systems and streams those changes.
   * Every RPC needs `authorization: Bearer &lt;JWT&gt;` metadata and returns
   * UNAUTHENTICATED, PERMISSION_DENIED, NOT_FOUND (system not in the caller's
   * tenant), RESOURCE_EXHAUSTED, UNAVAILABLE and INTERNAL as GovernanceService.
   * </pre>
   */
  public static final class OperationsServiceBlockingStub extends io.grpc.stub.AbstractBlockingStub<OperationsServiceBlockingStub> {
    private OperationsServiceBlockingStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected OperationsServiceBlockingStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new OperationsServiceBlockingStub(channel, callOptions);
    }

    /**
     * <pre>
     * EmergencyStop puts a system in emergency stop at once (admin).
     * INVALID_ARGUMENT when reason is empty. Never rate limited.
     * </pre>
     */
    public btv.v1.Operations.EmergencyStopResponse emergencyStop(btv.v1.Operations.EmergencyStopRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getEmergencyStopMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * SetOperationalStatus changes the operational status (admin, dev; only
     * admin may enter or leave emergency stop, and entering it needs a reason
     * as EmergencyStop does). FAILED_PRECONDITION for an impossible transition.
     * Counts against the tenant's "operations" quota (RESOURCE_EXHAUSTED /
     * RATE_LIMITED when spent), except a change to emergency stop, which is
     * never limited.
     * </pre>
     */
    public btv.v1.Operations.SetOperationalStatusResponse setOperationalStatus(btv.v1.Operations.SetOperationalStatusRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getSetOperationalStatusMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * SetLifecyclePhase changes the lifecycle phase (admin, dev).
     * FAILED_PRECONDITION for an impossible transition. Counts against the
     * tenant's "operations" quota.
     * </pre>
     */
    public btv.v1.Operations.SetLifecyclePhaseResponse setLifecyclePhase(btv.v1.Operations.SetLifecyclePhaseRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getSetLifecyclePhaseMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * GetOperationalStatus returns the current status (all roles).
     * </pre>
     */
    public btv.v1.Operations.GetOperationalStatusResponse getOperationalStatus(btv.v1.Operations.GetOperationalStatusRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetOperationalStatusMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * WatchSystemStatus streams a snapshot of each watched system, then every
     * change in revision order, and heartbeats when idle (all roles).
     * OUT_OF_RANGE when since_revision is no longer retained; the stream ends
     * UNAUTHENTICATED when the token expires.
     * </pre>
     */
    public java.util.Iterator<btv.v1.Operations.WatchSystemStatusResponse> watchSystemStatus(
        btv.v1.Operations.WatchSystemStatusRequest request) {
      return io.grpc.stub.ClientCalls.blockingServerStreamingCall(
          getChannel(), getWatchSystemStatusMethod(), getCallOptions(), request);
    }
  }

  /**
   * <pre>
   * OperationsService is the kill switch: it changes the operational status and
   * lifecycle phase of AI systems and streams those changes.
   * Every RPC needs `authorization: Bearer &lt;JWT&gt;` metadata and returns
   * UNAUTHENTICATED, PERMISSION_DENIED, NOT_FOUND (system not in the caller's
   * tenant), RESOURCE_EXHAUSTED, UNAVAILABLE and INTERNAL as GovernanceService.
   * </pre>
   */
  public static final class OperationsServiceFutureStub extends io.grpc.stub.AbstractFutureStub<OperationsServiceFutureStub> {
    private OperationsServiceFutureStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected OperationsServiceFutureStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new OperationsServiceFutureStub(channel, callOptions);
    }

    /**
     * <pre>
     * EmergencyStop puts a system in emergency stop at once (admin).
     * INVALID_ARGUMENT when reason is empty. Never rate limited.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<btv.v1.Operations.EmergencyStopResponse> emergencyStop(
        btv.v1.Operations.EmergencyStopRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getEmergencyStopMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * SetOperationalStatus changes the operational status (admin, dev; only
     * admin may enter or leave emergency stop, and entering it needs a reason
     * as EmergencyStop does). FAILED_PRECONDITION for an impossible transition.
     * Counts against the tenant's "operations" quota (RESOURCE_EXHAUSTED /
     * RATE_LIMITED when spent), except a change to emergency stop, which is
     * never limited.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<btv.v1.Operations.SetOperationalStatusResponse> setOperationalStatus(
        btv.v1.Operations.SetOperationalStatusRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getSetOperationalStatusMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * SetLifecyclePhase changes the lifecycle phase (admin, dev).
     * FAILED_PRECONDITION for an impossible transition. Counts against the
     * tenant's "operations" quota.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<btv.v1.Operations.SetLifecyclePhaseResponse> setLifecyclePhase(
        btv.v1.Operations.SetLifecyclePhaseRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getSetLifecyclePhaseMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * GetOperationalStatus returns the current status (all roles).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<btv.v1.Operations.GetOperationalStatusResponse> getOperationalStatus(
        btv.v1.Operations.GetOperationalStatusRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetOperationalStatusMethod(), getCallOptions()), request);
    }
  }

  private static final int METHODID_EMERGENCY_STOP = 0;
  private static final int METHODID_SET_OPERATIONAL_STATUS = 1;
  private static final int METHODID_SET_LIFECYCLE_PHASE = 2;
  private static final int METHODID_GET_OPERATIONAL_STATUS = 3;
  private static final int METHODID_WATCH_SYSTEM_STATUS = 4;

  private static final class MethodHandlers<Req, Resp> implements
      io.grpc.stub.ServerCalls.UnaryMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.ServerStreamingMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.ClientStreamingMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.BidiStreamingMethod<Req, Resp> {
    private final OperationsServiceImplBase serviceImpl;
    private final int methodId;

    MethodHandlers(OperationsServiceImplBase serviceImpl, int methodId) {
      this.serviceImpl = serviceImpl;
      this.methodId = methodId;
    }

    @java.lang.Override
    @java.lang.SuppressWarnings("unchecked")
    public void invoke(Req request, io.grpc.stub.StreamObserver<Resp> responseObserver) {
      switch (methodId) {
        case METHODID_EMERGENCY_STOP:
          serviceImpl.emergencyStop((btv.v1.Operations.EmergencyStopRequest) request,
              (io.grpc.stub.StreamObserver<btv.v1.Operations.EmergencyStopResponse>) responseObserver);
          break;
        case METHODID_SET_OPERATIONAL_STATUS:
          serviceImpl.setOperationalStatus((btv.v1.Operations.SetOperationalStatusRequest) request,
              (io.grpc.stub.StreamObserver<btv.v1.Operations.SetOperationalStatusResponse>) responseObserver);
          break;
        case METHODID_SET_LIFECYCLE_PHASE:
          serviceImpl.setLifecyclePhase((btv.v1.Operations.SetLifecyclePhaseRequest) request,
              (io.grpc.stub.StreamObserver<btv.v1.Operations.SetLifecyclePhaseResponse>) responseObserver);
          break;
        case METHODID_GET_OPERATIONAL_STATUS:
          serviceImpl.getOperationalStatus((btv.v1.Operations.GetOperationalStatusRequest) request,
              (io.grpc.stub.StreamObserver<btv.v1.Operations.GetOperationalStatusResponse>) responseObserver);
          break;
        case METHODID_WATCH_SYSTEM_STATUS:
          serviceImpl.watchSystemStatus((btv.v1.Operations.WatchSystemStatusRequest) request,
              (io.grpc.stub.StreamObserver<btv.v1.Operations.WatchSystemStatusResponse>) responseObserver);
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

  private static abstract class OperationsServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoFileDescriptorSupplier, io.grpc.protobuf.ProtoServiceDescriptorSupplier {
    OperationsServiceBaseDescriptorSupplier() {}

    @java.lang.Override
    public com.google.protobuf.Descriptors.FileDescriptor getFileDescriptor() {
      return btv.v1.Operations.getDescriptor();
    }

    @java.lang.Override
    public com.google.protobuf.Descriptors.ServiceDescriptor getServiceDescriptor() {
      return getFileDescriptor().findServiceByName("OperationsService");
    }
  }

  private static final class OperationsServiceFileDescriptorSupplier
      extends OperationsServiceBaseDescriptorSupplier {
    OperationsServiceFileDescriptorSupplier() {}
  }

  private static final class OperationsServiceMethodDescriptorSupplier
      extends OperationsServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoMethodDescriptorSupplier {
    private final String methodName;

    OperationsServiceMethodDescriptorSupplier(String methodName) {
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
      synchronized (OperationsServiceGrpc.class) {
        result = serviceDescriptor;
        if (result == null) {
          serviceDescriptor = result = io.grpc.ServiceDescriptor.newBuilder(SERVICE_NAME)
              .setSchemaDescriptor(new OperationsServiceFileDescriptorSupplier())
              .addMethod(getEmergencyStopMethod())
              .addMethod(getSetOperationalStatusMethod())
              .addMethod(getSetLifecyclePhaseMethod())
              .addMethod(getGetOperationalStatusMethod())
              .addMethod(getWatchSystemStatusMethod())
              .build();
        }
      }
    }
    return result;
  }
}
