package btv.v1;

import static io.grpc.MethodDescriptor.generateFullMethodName;

/**
 * <pre>
 * AuditService serves compliance reports, statistics, human-oversight reviews
 * and the signed ledger, all computed from the caller's tenant data.
 * Every RPC needs `authorization: Bearer &lt;JWT&gt;` metadata (admin or auditor;
 * ResolveReview admin only) and returns UNAUTHENTICATED, PERMISSION_DENIED,
 * RESOURCE_EXHAUSTED, UNAVAILABLE and INTERNAL as GovernanceService.
 * </pre>
 */
@javax.annotation.Generated(
    value = "by gRPC proto compiler",
    comments = "Source: btv/v1/audit.proto")
@io.grpc.stub.annotations.GrpcGenerated
public final class AuditServiceGrpc {

  private AuditServiceGrpc() {}

  public static final String SERVICE_NAME = "btv.v1.AuditService";

  // Static method descriptors that strictly reflect the proto.
  private static volatile io.grpc.MethodDescriptor<btv.v1.Audit.GetComplianceReportRequest,
      btv.v1.Audit.GetComplianceReportResponse> getGetComplianceReportMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetComplianceReport",
      requestType = btv.v1.Audit.GetComplianceReportRequest.class,
      responseType = btv.v1.Audit.GetComplianceReportResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<btv.v1.Audit.GetComplianceReportRequest,
      btv.v1.Audit.GetComplianceReportResponse> getGetComplianceReportMethod() {
    io.grpc.MethodDescriptor<btv.v1.Audit.GetComplianceReportRequest, btv.v1.Audit.GetComplianceReportResponse> getGetComplianceReportMethod;
    if ((getGetComplianceReportMethod = AuditServiceGrpc.getGetComplianceReportMethod) == null) {
      synchronized (AuditServiceGrpc.class) {
        if ((getGetComplianceReportMethod = AuditServiceGrpc.getGetComplianceReportMethod) == null) {
          AuditServiceGrpc.getGetComplianceReportMethod = getGetComplianceReportMethod =
              io.grpc.MethodDescriptor.<btv.v1.Audit.GetComplianceReportRequest, btv.v1.Audit.GetComplianceReportResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetComplianceReport"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  btv.v1.Audit.GetComplianceReportRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  btv.v1.Audit.GetComplianceReportResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AuditServiceMethodDescriptorSupplier("GetComplianceReport"))
              .build();
        }
      }
    }
    return getGetComplianceReportMethod;
  }

  private static volatile io.grpc.MethodDescriptor<btv.v1.Audit.GetComplianceStatisticsRequest,
      btv.v1.Audit.GetComplianceStatisticsResponse> getGetComplianceStatisticsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetComplianceStatistics",
      requestType = btv.v1.Audit.GetComplianceStatisticsRequest.class,
      responseType = btv.v1.Audit.GetComplianceStatisticsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<btv.v1.Audit.GetComplianceStatisticsRequest,
      btv.v1.Audit.GetComplianceStatisticsResponse> getGetComplianceStatisticsMethod() {
    io.grpc.MethodDescriptor<btv.v1.Audit.GetComplianceStatisticsRequest, btv.v1.Audit.GetComplianceStatisticsResponse> getGetComplianceStatisticsMethod;
    if ((getGetComplianceStatisticsMethod = AuditServiceGrpc.getGetComplianceStatisticsMethod) == null) {
      synchronized (AuditServiceGrpc.class) {
        if ((getGetComplianceStatisticsMethod = AuditServiceGrpc.getGetComplianceStatisticsMethod) == null) {
          AuditServiceGrpc.getGetComplianceStatisticsMethod = getGetComplianceStatisticsMethod =
              io.grpc.MethodDescriptor.<btv.v1.Audit.GetComplianceStatisticsRequest, btv.v1.Audit.GetComplianceStatisticsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetComplianceStatistics"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  btv.v1.Audit.GetComplianceStatisticsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  btv.v1.Audit.GetComplianceStatisticsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AuditServiceMethodDescriptorSupplier("GetComplianceStatistics"))
              .build();
        }
      }
    }
    return getGetComplianceStatisticsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<btv.v1.Audit.ListPendingReviewsRequest,
      btv.v1.Audit.ListPendingReviewsResponse> getListPendingReviewsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListPendingReviews",
      requestType = btv.v1.Audit.ListPendingReviewsRequest.class,
      responseType = btv.v1.Audit.ListPendingReviewsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<btv.v1.Audit.ListPendingReviewsRequest,
      btv.v1.Audit.ListPendingReviewsResponse> getListPendingReviewsMethod() {
    io.grpc.MethodDescriptor<btv.v1.Audit.ListPendingReviewsRequest, btv.v1.Audit.ListPendingReviewsResponse> getListPendingReviewsMethod;
    if ((getListPendingReviewsMethod = AuditServiceGrpc.getListPendingReviewsMethod) == null) {
      synchronized (AuditServiceGrpc.class) {
        if ((getListPendingReviewsMethod = AuditServiceGrpc.getListPendingReviewsMethod) == null) {
          AuditServiceGrpc.getListPendingReviewsMethod = getListPendingReviewsMethod =
              io.grpc.MethodDescriptor.<btv.v1.Audit.ListPendingReviewsRequest, btv.v1.Audit.ListPendingReviewsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListPendingReviews"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  btv.v1.Audit.ListPendingReviewsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  btv.v1.Audit.ListPendingReviewsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AuditServiceMethodDescriptorSupplier("ListPendingReviews"))
              .build();
        }
      }
    }
    return getListPendingReviewsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<btv.v1.Audit.ResolveReviewRequest,
      btv.v1.Audit.ResolveReviewResponse> getResolveReviewMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ResolveReview",
      requestType = btv.v1.Audit.ResolveReviewRequest.class,
      responseType = btv.v1.Audit.ResolveReviewResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<btv.v1.Audit.ResolveReviewRequest,
      btv.v1.Audit.ResolveReviewResponse> getResolveReviewMethod() {
    io.grpc.MethodDescriptor<btv.v1.Audit.ResolveReviewRequest, btv.v1.Audit.ResolveReviewResponse> getResolveReviewMethod;
    if ((getResolveReviewMethod = AuditServiceGrpc.getResolveReviewMethod) == null) {
      synchronized (AuditServiceGrpc.class) {
        if ((getResolveReviewMethod = AuditServiceGrpc.getResolveReviewMethod) == null) {
          AuditServiceGrpc.getResolveReviewMethod = getResolveReviewMethod =
              io.grpc.MethodDescriptor.<btv.v1.Audit.ResolveReviewRequest, btv.v1.Audit.ResolveReviewResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ResolveReview"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  btv.v1.Audit.ResolveReviewRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  btv.v1.Audit.ResolveReviewResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AuditServiceMethodDescriptorSupplier("ResolveReview"))
              .build();
        }
      }
    }
    return getResolveReviewMethod;
  }

  private static volatile io.grpc.MethodDescriptor<btv.v1.Audit.ListLedgerEntriesRequest,
      btv.v1.Audit.ListLedgerEntriesResponse> getListLedgerEntriesMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListLedgerEntries",
      requestType = btv.v1.Audit.ListLedgerEntriesRequest.class,
      responseType = btv.v1.Audit.ListLedgerEntriesResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<btv.v1.Audit.ListLedgerEntriesRequest,
      btv.v1.Audit.ListLedgerEntriesResponse> getListLedgerEntriesMethod() {
    io.grpc.MethodDescriptor<btv.v1.Audit.ListLedgerEntriesRequest, btv.v1.Audit.ListLedgerEntriesResponse> getListLedgerEntriesMethod;
    if ((getListLedgerEntriesMethod = AuditServiceGrpc.getListLedgerEntriesMethod) == null) {
      synchronized (AuditServiceGrpc.class) {
        if ((getListLedgerEntriesMethod = AuditServiceGrpc.getListLedgerEntriesMethod) == null) {
          AuditServiceGrpc.getListLedgerEntriesMethod = getListLedgerEntriesMethod =
              io.grpc.MethodDescriptor.<btv.v1.Audit.ListLedgerEntriesRequest, btv.v1.Audit.ListLedgerEntriesResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListLedgerEntries"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  btv.v1.Audit.ListLedgerEntriesRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  btv.v1.Audit.ListLedgerEntriesResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AuditServiceMethodDescriptorSupplier("ListLedgerEntries"))
              .build();
        }
      }
    }
    return getListLedgerEntriesMethod;
  }

  private static volatile io.grpc.MethodDescriptor<btv.v1.Audit.VerifyLedgerRequest,
      btv.v1.Audit.VerifyLedgerResponse> getVerifyLedgerMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "VerifyLedger",
      requestType = btv.v1.Audit.VerifyLedgerRequest.class,
      responseType = btv.v1.Audit.VerifyLedgerResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<btv.v1.Audit.VerifyLedgerRequest,
      btv.v1.Audit.VerifyLedgerResponse> getVerifyLedgerMethod() {
    io.grpc.MethodDescriptor<btv.v1.Audit.VerifyLedgerRequest, btv.v1.Audit.VerifyLedgerResponse> getVerifyLedgerMethod;
    if ((getVerifyLedgerMethod = AuditServiceGrpc.getVerifyLedgerMethod) == null) {
      synchronized (AuditServiceGrpc.class) {
        if ((getVerifyLedgerMethod = AuditServiceGrpc.getVerifyLedgerMethod) == null) {
          AuditServiceGrpc.getVerifyLedgerMethod = getVerifyLedgerMethod =
              io.grpc.MethodDescriptor.<btv.v1.Audit.VerifyLedgerRequest, btv.v1.Audit.VerifyLedgerResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "VerifyLedger"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  btv.v1.Audit.VerifyLedgerRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  btv.v1.Audit.VerifyLedgerResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AuditServiceMethodDescriptorSupplier("VerifyLedger"))
              .build();
        }
      }
    }
    return getVerifyLedgerMethod;
  }

  private static volatile io.grpc.MethodDescriptor<btv.v1.Audit.CreateLedgerCheckpointRequest,
      btv.v1.Audit.CreateLedgerCheckpointResponse> getCreateLedgerCheckpointMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "CreateLedgerCheckpoint",
      requestType = btv.v1.Audit.CreateLedgerCheckpointRequest.class,
      responseType = btv.v1.Audit.CreateLedgerCheckpointResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<btv.v1.Audit.CreateLedgerCheckpointRequest,
      btv.v1.Audit.CreateLedgerCheckpointResponse> getCreateLedgerCheckpointMethod() {
    io.grpc.MethodDescriptor<btv.v1.Audit.CreateLedgerCheckpointRequest, btv.v1.Audit.CreateLedgerCheckpointResponse> getCreateLedgerCheckpointMethod;
    if ((getCreateLedgerCheckpointMethod = AuditServiceGrpc.getCreateLedgerCheckpointMethod) == null) {
      synchronized (AuditServiceGrpc.class) {
        if ((getCreateLedgerCheckpointMethod = AuditServiceGrpc.getCreateLedgerCheckpointMethod) == null) {
          AuditServiceGrpc.getCreateLedgerCheckpointMethod = getCreateLedgerCheckpointMethod =
              io.grpc.MethodDescriptor.<btv.v1.Audit.CreateLedgerCheckpointRequest, btv.v1.Audit.CreateLedgerCheckpointResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "CreateLedgerCheckpoint"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  btv.v1.Audit.CreateLedgerCheckpointRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  btv.v1.Audit.CreateLedgerCheckpointResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AuditServiceMethodDescriptorSupplier("CreateLedgerCheckpoint"))
              .build();
        }
      }
    }
    return getCreateLedgerCheckpointMethod;
  }

  private static volatile io.grpc.MethodDescriptor<btv.v1.Audit.ListLedgerCheckpointsRequest,
      btv.v1.Audit.ListLedgerCheckpointsResponse> getListLedgerCheckpointsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListLedgerCheckpoints",
      requestType = btv.v1.Audit.ListLedgerCheckpointsRequest.class,
      responseType = btv.v1.Audit.ListLedgerCheckpointsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<btv.v1.Audit.ListLedgerCheckpointsRequest,
      btv.v1.Audit.ListLedgerCheckpointsResponse> getListLedgerCheckpointsMethod() {
    io.grpc.MethodDescriptor<btv.v1.Audit.ListLedgerCheckpointsRequest, btv.v1.Audit.ListLedgerCheckpointsResponse> getListLedgerCheckpointsMethod;
    if ((getListLedgerCheckpointsMethod = AuditServiceGrpc.getListLedgerCheckpointsMethod) == null) {
      synchronized (AuditServiceGrpc.class) {
        if ((getListLedgerCheckpointsMethod = AuditServiceGrpc.getListLedgerCheckpointsMethod) == null) {
          AuditServiceGrpc.getListLedgerCheckpointsMethod = getListLedgerCheckpointsMethod =
              io.grpc.MethodDescriptor.<btv.v1.Audit.ListLedgerCheckpointsRequest, btv.v1.Audit.ListLedgerCheckpointsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListLedgerCheckpoints"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  btv.v1.Audit.ListLedgerCheckpointsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  btv.v1.Audit.ListLedgerCheckpointsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AuditServiceMethodDescriptorSupplier("ListLedgerCheckpoints"))
              .build();
        }
      }
    }
    return getListLedgerCheckpointsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<btv.v1.Audit.GetPolicyImpactRequest,
      btv.v1.Audit.GetPolicyImpactResponse> getGetPolicyImpactMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetPolicyImpact",
      requestType = btv.v1.Audit.GetPolicyImpactRequest.class,
      responseType = btv.v1.Audit.GetPolicyImpactResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<btv.v1.Audit.GetPolicyImpactRequest,
      btv.v1.Audit.GetPolicyImpactResponse> getGetPolicyImpactMethod() {
    io.grpc.MethodDescriptor<btv.v1.Audit.GetPolicyImpactRequest, btv.v1.Audit.GetPolicyImpactResponse> getGetPolicyImpactMethod;
    if ((getGetPolicyImpactMethod = AuditServiceGrpc.getGetPolicyImpactMethod) == null) {
      synchronized (AuditServiceGrpc.class) {
        if ((getGetPolicyImpactMethod = AuditServiceGrpc.getGetPolicyImpactMethod) == null) {
          AuditServiceGrpc.getGetPolicyImpactMethod = getGetPolicyImpactMethod =
              io.grpc.MethodDescriptor.<btv.v1.Audit.GetPolicyImpactRequest, btv.v1.Audit.GetPolicyImpactResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetPolicyImpact"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  btv.v1.Audit.GetPolicyImpactRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  btv.v1.Audit.GetPolicyImpactResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AuditServiceMethodDescriptorSupplier("GetPolicyImpact"))
              .build();
        }
      }
    }
    return getGetPolicyImpactMethod;
  }

  private static volatile io.grpc.MethodDescriptor<btv.v1.Audit.GetInclusionProofRequest,
      btv.v1.Audit.GetInclusionProofResponse> getGetInclusionProofMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetInclusionProof",
      requestType = btv.v1.Audit.GetInclusionProofRequest.class,
      responseType = btv.v1.Audit.GetInclusionProofResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<btv.v1.Audit.GetInclusionProofRequest,
      btv.v1.Audit.GetInclusionProofResponse> getGetInclusionProofMethod() {
    io.grpc.MethodDescriptor<btv.v1.Audit.GetInclusionProofRequest, btv.v1.Audit.GetInclusionProofResponse> getGetInclusionProofMethod;
    if ((getGetInclusionProofMethod = AuditServiceGrpc.getGetInclusionProofMethod) == null) {
      synchronized (AuditServiceGrpc.class) {
        if ((getGetInclusionProofMethod = AuditServiceGrpc.getGetInclusionProofMethod) == null) {
          AuditServiceGrpc.getGetInclusionProofMethod = getGetInclusionProofMethod =
              io.grpc.MethodDescriptor.<btv.v1.Audit.GetInclusionProofRequest, btv.v1.Audit.GetInclusionProofResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetInclusionProof"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  btv.v1.Audit.GetInclusionProofRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  btv.v1.Audit.GetInclusionProofResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AuditServiceMethodDescriptorSupplier("GetInclusionProof"))
              .build();
        }
      }
    }
    return getGetInclusionProofMethod;
  }

  private static volatile io.grpc.MethodDescriptor<btv.v1.Audit.GetConsistencyProofRequest,
      btv.v1.Audit.GetConsistencyProofResponse> getGetConsistencyProofMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetConsistencyProof",
      requestType = btv.v1.Audit.GetConsistencyProofRequest.class,
      responseType = btv.v1.Audit.GetConsistencyProofResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<btv.v1.Audit.GetConsistencyProofRequest,
      btv.v1.Audit.GetConsistencyProofResponse> getGetConsistencyProofMethod() {
    io.grpc.MethodDescriptor<btv.v1.Audit.GetConsistencyProofRequest, btv.v1.Audit.GetConsistencyProofResponse> getGetConsistencyProofMethod;
    if ((getGetConsistencyProofMethod = AuditServiceGrpc.getGetConsistencyProofMethod) == null) {
      synchronized (AuditServiceGrpc.class) {
        if ((getGetConsistencyProofMethod = AuditServiceGrpc.getGetConsistencyProofMethod) == null) {
          AuditServiceGrpc.getGetConsistencyProofMethod = getGetConsistencyProofMethod =
              io.grpc.MethodDescriptor.<btv.v1.Audit.GetConsistencyProofRequest, btv.v1.Audit.GetConsistencyProofResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetConsistencyProof"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  btv.v1.Audit.GetConsistencyProofRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  btv.v1.Audit.GetConsistencyProofResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AuditServiceMethodDescriptorSupplier("GetConsistencyProof"))
              .build();
        }
      }
    }
    return getGetConsistencyProofMethod;
  }

  /**
   * Creates a new async stub that supports all call types for the service
   */
  public static AuditServiceStub newStub(io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<AuditServiceStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<AuditServiceStub>() {
        @java.lang.Override
        public AuditServiceStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new AuditServiceStub(channel, callOptions);
        }
      };
    return AuditServiceStub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports unary and streaming output calls on the service
   */
  public static AuditServiceBlockingStub newBlockingStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<AuditServiceBlockingStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<AuditServiceBlockingStub>() {
        @java.lang.Override
        public AuditServiceBlockingStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new AuditServiceBlockingStub(channel, callOptions);
        }
      };
    return AuditServiceBlockingStub.newStub(factory, channel);
  }

  /**
   * Creates a new ListenableFuture-style stub that supports unary calls on the service
   */
  public static AuditServiceFutureStub newFutureStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<AuditServiceFutureStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<AuditServiceFutureStub>() {
        @java.lang.Override
        public AuditServiceFutureStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new AuditServiceFutureStub(channel, callOptions);
        }
      };
    return AuditServiceFutureStub.newStub(factory, channel);
  }

  /**
   * <pre>
   * AuditService serves compliance reports, statistics, human-oversight reviews
   * and the signed ledger, all computed from the caller's tenant data.
   * Every RPC needs `authorization: Bearer &lt;JWT&gt;` metadata (admin or auditor;
   * ResolveReview admin only) and returns UNAUTHENTICATED, PERMISSION_DENIED,
   * RESOURCE_EXHAUSTED, UNAVAILABLE and INTERNAL as GovernanceService.
   * </pre>
   */
  public static abstract class AuditServiceImplBase implements io.grpc.BindableService {

    /**
     * <pre>
     * GetComplianceReport assesses one system. NOT_FOUND for an unknown system.
     * </pre>
     */
    public void getComplianceReport(btv.v1.Audit.GetComplianceReportRequest request,
        io.grpc.stub.StreamObserver<btv.v1.Audit.GetComplianceReportResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetComplianceReportMethod(), responseObserver);
    }

    /**
     * <pre>
     * GetComplianceStatistics summarises the tenant's decisions.
     * </pre>
     */
    public void getComplianceStatistics(btv.v1.Audit.GetComplianceStatisticsRequest request,
        io.grpc.stub.StreamObserver<btv.v1.Audit.GetComplianceStatisticsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetComplianceStatisticsMethod(), responseObserver);
    }

    /**
     * <pre>
     * ListPendingReviews lists open human reviews, newest first.
     * </pre>
     */
    public void listPendingReviews(btv.v1.Audit.ListPendingReviewsRequest request,
        io.grpc.stub.StreamObserver<btv.v1.Audit.ListPendingReviewsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListPendingReviewsMethod(), responseObserver);
    }

    /**
     * <pre>
     * ResolveReview approves or rejects a review (admin). NOT_FOUND for an
     * unknown review; FAILED_PRECONDITION when already resolved.
     * </pre>
     */
    public void resolveReview(btv.v1.Audit.ResolveReviewRequest request,
        io.grpc.stub.StreamObserver<btv.v1.Audit.ResolveReviewResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getResolveReviewMethod(), responseObserver);
    }

    /**
     * <pre>
     * ListLedgerEntries pages through the tenant's ledger in sequence order.
     * </pre>
     */
    public void listLedgerEntries(btv.v1.Audit.ListLedgerEntriesRequest request,
        io.grpc.stub.StreamObserver<btv.v1.Audit.ListLedgerEntriesResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListLedgerEntriesMethod(), responseObserver);
    }

    /**
     * <pre>
     * VerifyLedger checks the tenant's whole ledger chain and signatures.
     * </pre>
     */
    public void verifyLedger(btv.v1.Audit.VerifyLedgerRequest request,
        io.grpc.stub.StreamObserver<btv.v1.Audit.VerifyLedgerResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getVerifyLedgerMethod(), responseObserver);
    }

    /**
     * <pre>
     * CreateLedgerCheckpoint signs the tenant's current ledger size and head
     * hash with the server's Ed25519 checkpoint key.
     * </pre>
     */
    public void createLedgerCheckpoint(btv.v1.Audit.CreateLedgerCheckpointRequest request,
        io.grpc.stub.StreamObserver<btv.v1.Audit.CreateLedgerCheckpointResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getCreateLedgerCheckpointMethod(), responseObserver);
    }

    /**
     * <pre>
     * ListLedgerCheckpoints returns the tenant's checkpoints, oldest first, and
     * the public key that verifies them.
     * </pre>
     */
    public void listLedgerCheckpoints(btv.v1.Audit.ListLedgerCheckpointsRequest request,
        io.grpc.stub.StreamObserver<btv.v1.Audit.ListLedgerCheckpointsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListLedgerCheckpointsMethod(), responseObserver);
    }

    /**
     * <pre>
     * GetPolicyImpact measures the candidate policies on live traffic: how
     * many decisions in the window the candidate would have decided otherwise.
     * NOT_FOUND for an unknown system.
     * </pre>
     */
    public void getPolicyImpact(btv.v1.Audit.GetPolicyImpactRequest request,
        io.grpc.stub.StreamObserver<btv.v1.Audit.GetPolicyImpactResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetPolicyImpactMethod(), responseObserver);
    }

    /**
     * <pre>
     * GetInclusionProof proves that one entry is in the tenant ledger's RFC 9162
     * Merkle tree of a given size. INVALID_ARGUMENT for sequence 0;
     * OUT_OF_RANGE (TREE_SIZE_OUT_OF_RANGE) for a tree_size beyond the ledger or
     * a sequence beyond tree_size; NOT_FOUND (LEDGER_ENTRY_NOT_FOUND) for a
     * sequence beyond the ledger. Another tenant's sizes are exactly that.
     * </pre>
     */
    public void getInclusionProof(btv.v1.Audit.GetInclusionProofRequest request,
        io.grpc.stub.StreamObserver<btv.v1.Audit.GetInclusionProofResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetInclusionProofMethod(), responseObserver);
    }

    /**
     * <pre>
     * GetConsistencyProof proves that the tenant ledger's tree of from_size
     * entries is a prefix of its tree of to_size entries (RFC 9162).
     * INVALID_ARGUMENT for from_size 0; OUT_OF_RANGE (TREE_SIZE_OUT_OF_RANGE)
     * for a to_size beyond the ledger or a from_size beyond to_size.
     * </pre>
     */
    public void getConsistencyProof(btv.v1.Audit.GetConsistencyProofRequest request,
        io.grpc.stub.StreamObserver<btv.v1.Audit.GetConsistencyProofResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetConsistencyProofMethod(), responseObserver);
    }

    @java.lang.Override public final io.grpc.ServerServiceDefinition bindService() {
      return io.grpc.ServerServiceDefinition.builder(getServiceDescriptor())
          .addMethod(
            getGetComplianceReportMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                btv.v1.Audit.GetComplianceReportRequest,
                btv.v1.Audit.GetComplianceReportResponse>(
                  this, METHODID_GET_COMPLIANCE_REPORT)))
          .addMethod(
            getGetComplianceStatisticsMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                btv.v1.Audit.GetComplianceStatisticsRequest,
                btv.v1.Audit.GetComplianceStatisticsResponse>(
                  this, METHODID_GET_COMPLIANCE_STATISTICS)))
          .addMethod(
            getListPendingReviewsMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                btv.v1.Audit.ListPendingReviewsRequest,
                btv.v1.Audit.ListPendingReviewsResponse>(
                  this, METHODID_LIST_PENDING_REVIEWS)))
          .addMethod(
            getResolveReviewMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                btv.v1.Audit.ResolveReviewRequest,
                btv.v1.Audit.ResolveReviewResponse>(
                  this, METHODID_RESOLVE_REVIEW)))
          .addMethod(
            getListLedgerEntriesMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                btv.v1.Audit.ListLedgerEntriesRequest,
                btv.v1.Audit.ListLedgerEntriesResponse>(
                  this, METHODID_LIST_LEDGER_ENTRIES)))
          .addMethod(
            getVerifyLedgerMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                btv.v1.Audit.VerifyLedgerRequest,
                btv.v1.Audit.VerifyLedgerResponse>(
                  this, METHODID_VERIFY_LEDGER)))
          .addMethod(
            getCreateLedgerCheckpointMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                btv.v1.Audit.CreateLedgerCheckpointRequest,
                btv.v1.Audit.CreateLedgerCheckpointResponse>(
                  this, METHODID_CREATE_LEDGER_CHECKPOINT)))
          .addMethod(
            getListLedgerCheckpointsMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                btv.v1.Audit.ListLedgerCheckpointsRequest,
                btv.v1.Audit.ListLedgerCheckpointsResponse>(
                  this, METHODID_LIST_LEDGER_CHECKPOINTS)))
          .addMethod(
            getGetPolicyImpactMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                btv.v1.Audit.GetPolicyImpactRequest,
                btv.v1.Audit.GetPolicyImpactResponse>(
                  this, METHODID_GET_POLICY_IMPACT)))
          .addMethod(
            getGetInclusionProofMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                btv.v1.Audit.GetInclusionProofRequest,
                btv.v1.Audit.GetInclusionProofResponse>(
                  this, METHODID_GET_INCLUSION_PROOF)))
          .addMethod(
            getGetConsistencyProofMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                btv.v1.Audit.GetConsistencyProofRequest,
                btv.v1.Audit.GetConsistencyProofResponse>(
                  this, METHODID_GET_CONSISTENCY_PROOF)))
          .build();
    }
  }

  /**
   * <pre>
   * AuditService serves compliance reports, statistics, human-oversight reviews
   * and the signed ledger, all computed from the caller's tenant data.
   * Every RPC needs `authorization: Bearer &lt;JWT&gt;` metadata (admin or auditor;
   * ResolveReview admin only) and returns UNAUTHENTICATED, PERMISSION_DENIED,
   * RESOURCE_EXHAUSTED, UNAVAILABLE and INTERNAL as GovernanceService.
   * </pre>
   */
  public static final class AuditServiceStub extends io.grpc.stub.AbstractAsyncStub<AuditServiceStub> {
    private AuditServiceStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected AuditServiceStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new AuditServiceStub(channel, callOptions);
    }

    /**
     * <pre>
     * GetComplianceReport assesses one system. NOT_FOUND for an unknown system.
     * </pre>
     */
    public void getComplianceReport(btv.v1.Audit.GetComplianceReportRequest request,
        io.grpc.stub.StreamObserver<btv.v1.Audit.GetComplianceReportResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetComplianceReportMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * GetComplianceStatistics summarises the tenant's decisions.
     * </pre>
     */
    public void getComplianceStatistics(btv.v1.Audit.GetComplianceStatisticsRequest request,
        io.grpc.stub.StreamObserver<btv.v1.Audit.GetComplianceStatisticsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetComplianceStatisticsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * ListPendingReviews lists open human reviews, newest first.
     * </pre>
     */
    public void listPendingReviews(btv.v1.Audit.ListPendingReviewsRequest request,
        io.grpc.stub.StreamObserver<btv.v1.Audit.ListPendingReviewsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListPendingReviewsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * ResolveReview approves or rejects a review (admin). NOT_FOUND for an
     * unknown review; FAILED_PRECONDITION when already resolved.
     * </pre>
     */
    public void resolveReview(btv.v1.Audit.ResolveReviewRequest request,
        io.grpc.stub.StreamObserver<btv.v1.Audit.ResolveReviewResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getResolveReviewMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * ListLedgerEntries pages through the tenant's ledger in sequence order.
     * </pre>
     */
    public void listLedgerEntries(btv.v1.Audit.ListLedgerEntriesRequest request,
        io.grpc.stub.StreamObserver<btv.v1.Audit.ListLedgerEntriesResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListLedgerEntriesMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * VerifyLedger checks the tenant's whole ledger chain and signatures.
     * </pre>
     */
    public void verifyLedger(btv.v1.Audit.VerifyLedgerRequest request,
        io.grpc.stub.StreamObserver<btv.v1.Audit.VerifyLedgerResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getVerifyLedgerMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * CreateLedgerCheckpoint signs the tenant's current ledger size and head
     * hash with the server's Ed25519 checkpoint key.
     * </pre>
     */
    public void createLedgerCheckpoint(btv.v1.Audit.CreateLedgerCheckpointRequest request,
        io.grpc.stub.StreamObserver<btv.v1.Audit.CreateLedgerCheckpointResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getCreateLedgerCheckpointMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * ListLedgerCheckpoints returns the tenant's checkpoints, oldest first, and
     * the public key that verifies them.
     * </pre>
     */
    public void listLedgerCheckpoints(btv.v1.Audit.ListLedgerCheckpointsRequest request,
        io.grpc.stub.StreamObserver<btv.v1.Audit.ListLedgerCheckpointsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListLedgerCheckpointsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * GetPolicyImpact measures the candidate policies on live traffic: how
     * many decisions in the window the candidate would have decided otherwise.
     * NOT_FOUND for an unknown system.
     * </pre>
     */
    public void getPolicyImpact(btv.v1.Audit.GetPolicyImpactRequest request,
        io.grpc.stub.StreamObserver<btv.v1.Audit.GetPolicyImpactResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetPolicyImpactMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * GetInclusionProof proves that one entry is in the tenant ledger's RFC 9162
     * Merkle tree of a given size. INVALID_ARGUMENT for sequence 0;
     * OUT_OF_RANGE (TREE_SIZE_OUT_OF_RANGE) for a tree_size beyond the ledger or
     * a sequence beyond tree_size; NOT_FOUND (LEDGER_ENTRY_NOT_FOUND) for a
     * sequence beyond the ledger. Another tenant's sizes are exactly that.
     * </pre>
     */
    public void getInclusionProof(btv.v1.Audit.GetInclusionProofRequest request,
        io.grpc.stub.StreamObserver<btv.v1.Audit.GetInclusionProofResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetInclusionProofMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * GetConsistencyProof proves that the tenant ledger's tree of from_size
     * entries is a prefix of its tree of to_size entries (RFC 9162).
     * INVALID_ARGUMENT for from_size 0; OUT_OF_RANGE (TREE_SIZE_OUT_OF_RANGE)
     * for a to_size beyond the ledger or a from_size beyond to_size.
     * </pre>
     */
    public void getConsistencyProof(btv.v1.Audit.GetConsistencyProofRequest request,
        io.grpc.stub.StreamObserver<btv.v1.Audit.GetConsistencyProofResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetConsistencyProofMethod(), getCallOptions()), request, responseObserver);
    }
  }

  /**
   * <pre>
   * AuditService serves compliance reports, statistics, human-oversight reviews
   * and the signed ledger, all computed from the caller's tenant data.
   * Every RPC needs `authorization: Bearer &lt;JWT&gt;` metadata (admin or auditor;
   * ResolveReview admin only) and returns UNAUTHENTICATED, PERMISSION_DENIED,
   * RESOURCE_EXHAUSTED, UNAVAILABLE and INTERNAL as GovernanceService.
   * </pre>
   */
  public static final class AuditServiceBlockingStub extends io.grpc.stub.AbstractBlockingStub<AuditServiceBlockingStub> {
    private AuditServiceBlockingStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected AuditServiceBlockingStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new AuditServiceBlockingStub(channel, callOptions);
    }

    /**
     * <pre>
     * GetComplianceReport assesses one system. NOT_FOUND for an unknown system.
     * </pre>
     */
    public btv.v1.Audit.GetComplianceReportResponse getComplianceReport(btv.v1.Audit.GetComplianceReportRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetComplianceReportMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * GetComplianceStatistics summarises the tenant's decisions.
     * </pre>
     */
    public btv.v1.Audit.GetComplianceStatisticsResponse getComplianceStatistics(btv.v1.Audit.GetComplianceStatisticsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetComplianceStatisticsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListPendingReviews lists open human reviews, newest first.
     * </pre>
     */
    public btv.v1.Audit.ListPendingReviewsResponse listPendingReviews(btv.v1.Audit.ListPendingReviewsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListPendingReviewsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ResolveReview approves or rejects a review (admin). NOT_FOUND for an
     * unknown review; FAILED_PRECONDITION when already resolved.
     * </pre>
     */
    public btv.v1.Audit.ResolveReviewResponse resolveReview(btv.v1.Audit.ResolveReviewRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getResolveReviewMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListLedgerEntries pages through the tenant's ledger in sequence order.
     * </pre>
     */
    public btv.v1.Audit.ListLedgerEntriesResponse listLedgerEntries(btv.v1.Audit.ListLedgerEntriesRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListLedgerEntriesMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * VerifyLedger checks the tenant's whole ledger chain and signatures.
     * </pre>
     */
    public btv.v1.Audit.VerifyLedgerResponse verifyLedger(btv.v1.Audit.VerifyLedgerRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getVerifyLedgerMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * CreateLedgerCheckpoint signs the tenant's current ledger size and head
     * hash with the server's Ed25519 checkpoint key.
     * </pre>
     */
    public btv.v1.Audit.CreateLedgerCheckpointResponse createLedgerCheckpoint(btv.v1.Audit.CreateLedgerCheckpointRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getCreateLedgerCheckpointMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListLedgerCheckpoints returns the tenant's checkpoints, oldest first, and
     * the public key that verifies them.
     * </pre>
     */
    public btv.v1.Audit.ListLedgerCheckpointsResponse listLedgerCheckpoints(btv.v1.Audit.ListLedgerCheckpointsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListLedgerCheckpointsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * GetPolicyImpact measures the candidate policies on live traffic: how
     * many decisions in the window the candidate would have decided otherwise.
     * NOT_FOUND for an unknown system.
     * </pre>
     */
    public btv.v1.Audit.GetPolicyImpactResponse getPolicyImpact(btv.v1.Audit.GetPolicyImpactRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetPolicyImpactMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * GetInclusionProof proves that one entry is in the tenant ledger's RFC 9162
     * Merkle tree of a given size. INVALID_ARGUMENT for sequence 0;
     * OUT_OF_RANGE (TREE_SIZE_OUT_OF_RANGE) for a tree_size beyond the ledger or
     * a sequence beyond tree_size; NOT_FOUND (LEDGER_ENTRY_NOT_FOUND) for a
     * sequence beyond the ledger. Another tenant's sizes are exactly that.
     * </pre>
     */
    public btv.v1.Audit.GetInclusionProofResponse getInclusionProof(btv.v1.Audit.GetInclusionProofRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetInclusionProofMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * GetConsistencyProof proves that the tenant ledger's tree of from_size
     * entries is a prefix of its tree of to_size entries (RFC 9162).
     * INVALID_ARGUMENT for from_size 0; OUT_OF_RANGE (TREE_SIZE_OUT_OF_RANGE)
     * for a to_size beyond the ledger or a from_size beyond to_size.
     * </pre>
     */
    public btv.v1.Audit.GetConsistencyProofResponse getConsistencyProof(btv.v1.Audit.GetConsistencyProofRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetConsistencyProofMethod(), getCallOptions(), request);
    }
  }

  /**
   * <pre>
   * AuditService serves compliance reports, statistics, human-oversight reviews
   * and the signed ledger, all computed from the caller's tenant data.
   * Every RPC needs `authorization: Bearer &lt;JWT&gt;` metadata (admin or auditor;
   * ResolveReview admin only) and returns UNAUTHENTICATED, PERMISSION_DENIED,
   * RESOURCE_EXHAUSTED, UNAVAILABLE and INTERNAL as GovernanceService.
   * </pre>
   */
  public static final class AuditServiceFutureStub extends io.grpc.stub.AbstractFutureStub<AuditServiceFutureStub> {
    private AuditServiceFutureStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected AuditServiceFutureStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new AuditServiceFutureStub(channel, callOptions);
    }

    /**
     * <pre>
     * GetComplianceReport assesses one system. NOT_FOUND for an unknown system.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<btv.v1.Audit.GetComplianceReportResponse> getComplianceReport(
        btv.v1.Audit.GetComplianceReportRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetComplianceReportMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * GetComplianceStatistics summarises the tenant's decisions.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<btv.v1.Audit.GetComplianceStatisticsResponse> getComplianceStatistics(
        btv.v1.Audit.GetComplianceStatisticsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetComplianceStatisticsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * ListPendingReviews lists open human reviews, newest first.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<btv.v1.Audit.ListPendingReviewsResponse> listPendingReviews(
        btv.v1.Audit.ListPendingReviewsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListPendingReviewsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * ResolveReview approves or rejects a review (admin). NOT_FOUND for an
     * unknown review; FAILED_PRECONDITION when already resolved.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<btv.v1.Audit.ResolveReviewResponse> resolveReview(
        btv.v1.Audit.ResolveReviewRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getResolveReviewMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * ListLedgerEntries pages through the tenant's ledger in sequence order.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<btv.v1.Audit.ListLedgerEntriesResponse> listLedgerEntries(
        btv.v1.Audit.ListLedgerEntriesRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListLedgerEntriesMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * VerifyLedger checks the tenant's whole ledger chain and signatures.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<btv.v1.Audit.VerifyLedgerResponse> verifyLedger(
        btv.v1.Audit.VerifyLedgerRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getVerifyLedgerMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * CreateLedgerCheckpoint signs the tenant's current ledger size and head
     * hash with the server's Ed25519 checkpoint key.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<btv.v1.Audit.CreateLedgerCheckpointResponse> createLedgerCheckpoint(
        btv.v1.Audit.CreateLedgerCheckpointRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getCreateLedgerCheckpointMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * ListLedgerCheckpoints returns the tenant's checkpoints, oldest first, and
     * the public key that verifies them.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<btv.v1.Audit.ListLedgerCheckpointsResponse> listLedgerCheckpoints(
        btv.v1.Audit.ListLedgerCheckpointsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListLedgerCheckpointsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * GetPolicyImpact measures the candidate policies on live traffic: how
     * many decisions in the window the candidate would have decided otherwise.
     * NOT_FOUND for an unknown system.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<btv.v1.Audit.GetPolicyImpactResponse> getPolicyImpact(
        btv.v1.Audit.GetPolicyImpactRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetPolicyImpactMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * GetInclusionProof proves that one entry is in the tenant ledger's RFC 9162
     * Merkle tree of a given size. INVALID_ARGUMENT for sequence 0;
     * OUT_OF_RANGE (TREE_SIZE_OUT_OF_RANGE) for a tree_size beyond the ledger or
     * a sequence beyond tree_size; NOT_FOUND (LEDGER_ENTRY_NOT_FOUND) for a
     * sequence beyond the ledger. Another tenant's sizes are exactly that.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<btv.v1.Audit.GetInclusionProofResponse> getInclusionProof(
        btv.v1.Audit.GetInclusionProofRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetInclusionProofMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * GetConsistencyProof proves that the tenant ledger's tree of from_size
     * entries is a prefix of its tree of to_size entries (RFC 9162).
     * INVALID_ARGUMENT for from_size 0; OUT_OF_RANGE (TREE_SIZE_OUT_OF_RANGE)
     * for a to_size beyond the ledger or a from_size beyond to_size.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<btv.v1.Audit.GetConsistencyProofResponse> getConsistencyProof(
        btv.v1.Audit.GetConsistencyProofRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetConsistencyProofMethod(), getCallOptions()), request);
    }
  }

  private static final int METHODID_GET_COMPLIANCE_REPORT = 0;
  private static final int METHODID_GET_COMPLIANCE_STATISTICS = 1;
  private static final int METHODID_LIST_PENDING_REVIEWS = 2;
  private static final int METHODID_RESOLVE_REVIEW = 3;
  private static final int METHODID_LIST_LEDGER_ENTRIES = 4;
  private static final int METHODID_VERIFY_LEDGER = 5;
  private static final int METHODID_CREATE_LEDGER_CHECKPOINT = 6;
  private static final int METHODID_LIST_LEDGER_CHECKPOINTS = 7;
  private static final int METHODID_GET_POLICY_IMPACT = 8;
  private static final int METHODID_GET_INCLUSION_PROOF = 9;
  private static final int METHODID_GET_CONSISTENCY_PROOF = 10;

  private static final class MethodHandlers<Req, Resp> implements
      io.grpc.stub.ServerCalls.UnaryMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.ServerStreamingMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.ClientStreamingMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.BidiStreamingMethod<Req, Resp> {
    private final AuditServiceImplBase serviceImpl;
    private final int methodId;

    MethodHandlers(AuditServiceImplBase serviceImpl, int methodId) {
      this.serviceImpl = serviceImpl;
      this.methodId = methodId;
    }

    @java.lang.Override
    @java.lang.SuppressWarnings("unchecked")
    public void invoke(Req request, io.grpc.stub.StreamObserver<Resp> responseObserver) {
      switch (methodId) {
        case METHODID_GET_COMPLIANCE_REPORT:
          serviceImpl.getComplianceReport((btv.v1.Audit.GetComplianceReportRequest) request,
              (io.grpc.stub.StreamObserver<btv.v1.Audit.GetComplianceReportResponse>) responseObserver);
          break;
        case METHODID_GET_COMPLIANCE_STATISTICS:
          serviceImpl.getComplianceStatistics((btv.v1.Audit.GetComplianceStatisticsRequest) request,
              (io.grpc.stub.StreamObserver<btv.v1.Audit.GetComplianceStatisticsResponse>) responseObserver);
          break;
        case METHODID_LIST_PENDING_REVIEWS:
          serviceImpl.listPendingReviews((btv.v1.Audit.ListPendingReviewsRequest) request,
              (io.grpc.stub.StreamObserver<btv.v1.Audit.ListPendingReviewsResponse>) responseObserver);
          break;
        case METHODID_RESOLVE_REVIEW:
          serviceImpl.resolveReview((btv.v1.Audit.ResolveReviewRequest) request,
              (io.grpc.stub.StreamObserver<btv.v1.Audit.ResolveReviewResponse>) responseObserver);
          break;
        case METHODID_LIST_LEDGER_ENTRIES:
          serviceImpl.listLedgerEntries((btv.v1.Audit.ListLedgerEntriesRequest) request,
              (io.grpc.stub.StreamObserver<btv.v1.Audit.ListLedgerEntriesResponse>) responseObserver);
          break;
        case METHODID_VERIFY_LEDGER:
          serviceImpl.verifyLedger((btv.v1.Audit.VerifyLedgerRequest) request,
              (io.grpc.stub.StreamObserver<btv.v1.Audit.VerifyLedgerResponse>) responseObserver);
          break;
        case METHODID_CREATE_LEDGER_CHECKPOINT:
          serviceImpl.createLedgerCheckpoint((btv.v1.Audit.CreateLedgerCheckpointRequest) request,
              (io.grpc.stub.StreamObserver<btv.v1.Audit.CreateLedgerCheckpointResponse>) responseObserver);
          break;
        case METHODID_LIST_LEDGER_CHECKPOINTS:
          serviceImpl.listLedgerCheckpoints((btv.v1.Audit.ListLedgerCheckpointsRequest) request,
              (io.grpc.stub.StreamObserver<btv.v1.Audit.ListLedgerCheckpointsResponse>) responseObserver);
          break;
        case METHODID_GET_POLICY_IMPACT:
          serviceImpl.getPolicyImpact((btv.v1.Audit.GetPolicyImpactRequest) request,
              (io.grpc.stub.StreamObserver<btv.v1.Audit.GetPolicyImpactResponse>) responseObserver);
          break;
        case METHODID_GET_INCLUSION_PROOF:
          serviceImpl.getInclusionProof((btv.v1.Audit.GetInclusionProofRequest) request,
              (io.grpc.stub.StreamObserver<btv.v1.Audit.GetInclusionProofResponse>) responseObserver);
          break;
        case METHODID_GET_CONSISTENCY_PROOF:
          serviceImpl.getConsistencyProof((btv.v1.Audit.GetConsistencyProofRequest) request,
              (io.grpc.stub.StreamObserver<btv.v1.Audit.GetConsistencyProofResponse>) responseObserver);
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

  private static abstract class AuditServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoFileDescriptorSupplier, io.grpc.protobuf.ProtoServiceDescriptorSupplier {
    AuditServiceBaseDescriptorSupplier() {}

    @java.lang.Override
    public com.google.protobuf.Descriptors.FileDescriptor getFileDescriptor() {
      return btv.v1.Audit.getDescriptor();
    }

    @java.lang.Override
    public com.google.protobuf.Descriptors.ServiceDescriptor getServiceDescriptor() {
      return getFileDescriptor().findServiceByName("AuditService");
    }
  }

  private static final class AuditServiceFileDescriptorSupplier
      extends AuditServiceBaseDescriptorSupplier {
    AuditServiceFileDescriptorSupplier() {}
  }

  private static final class AuditServiceMethodDescriptorSupplier
      extends AuditServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoMethodDescriptorSupplier {
    private final String methodName;

    AuditServiceMethodDescriptorSupplier(String methodName) {
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
      synchronized (AuditServiceGrpc.class) {
        result = serviceDescriptor;
        if (result == null) {
          serviceDescriptor = result = io.grpc.ServiceDescriptor.newBuilder(SERVICE_NAME)
              .setSchemaDescriptor(new AuditServiceFileDescriptorSupplier())
              .addMethod(getGetComplianceReportMethod())
              .addMethod(getGetComplianceStatisticsMethod())
              .addMethod(getListPendingReviewsMethod())
              .addMethod(getResolveReviewMethod())
              .addMethod(getListLedgerEntriesMethod())
              .addMethod(getVerifyLedgerMethod())
              .addMethod(getCreateLedgerCheckpointMethod())
              .addMethod(getListLedgerCheckpointsMethod())
              .addMethod(getGetPolicyImpactMethod())
              .addMethod(getGetInclusionProofMethod())
              .addMethod(getGetConsistencyProofMethod())
              .build();
        }
      }
    }
    return result;
  }
}
