package dev.buildtovalue.client;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * BuildToValueException is a failed call: its status code, the server's {@code ErrorInfo.reason}
 * (e.g. {@code ERROR_REASON_INVALID_ARGUMENT}) and the fields at fault. {@link Client#enforce}
 * throws it for requests the caller must fix, and for outages when fail-closed is off.
 */
public final class BuildToValueException extends RuntimeException {
  /** FieldViolation names an invalid request field (google.rpc.BadRequest). */
  public static final class FieldViolation {
    public final String field;
    public final String description;

    FieldViolation(String field, String description) {
      this.field = field;
      this.description = description;
    }
  }

  private static final Set<Status.Code> CALLER_FAULT = EnumSet.of(
      Status.Code.INVALID_ARGUMENT, Status.Code.PERMISSION_DENIED, Status.Code.NOT_FOUND, Status.Code.UNAUTHENTICATED,
      Status.Code.FAILED_PRECONDITION, Status.Code.OUT_OF_RANGE, Status.Code.UNIMPLEMENTED);

  private final Status.Code code;
  private final String reason;
  private final String requestId;
  private final List<FieldViolation> fieldViolations;
  private final Duration retryDelay;

  BuildToValueException(Status.Code code, String message, String reason, String requestId, List<FieldViolation> violations, Duration retryDelay) {
    super(code + (reason.isEmpty() ? "" : " (" + reason + ")") + ": " + message);
    this.code = code;
    this.reason = reason;
    this.requestId = requestId;
    this.fieldViolations = Collections.unmodifiableList(violations);
    this.retryDelay = retryDelay;
  }

  /** Reads google.rpc.Status details from the trailers of a failed call. */
  static BuildToValueException from(Throwable t) {
    Status s = Status.fromThrowable(t);
    String reason = "";
    String requestId = "";
    List<FieldViolation> violations = new ArrayList<>();
    Duration retry = null;
    com.google.rpc.Status details = StatusProto.fromThrowable(t);
    if (details != null) {
      for (com.google.protobuf.Any d : details.getDetailsList()) {
        try {
          if (d.is(ErrorInfo.class)) {
            ErrorInfo info = d.unpack(ErrorInfo.class);
            reason = info.getReason();
            requestId = info.getMetadataOrDefault("request_id", "");
          } else if (d.is(BadRequest.class)) {
            for (BadRequest.FieldViolation v : d.unpack(BadRequest.class).getFieldViolationsList()) {
              violations.add(new FieldViolation(v.getField(), v.getDescription()));
            }
          } else if (d.is(RetryInfo.class)) {
            com.google.protobuf.Duration r = d.unpack(RetryInfo.class).getRetryDelay();
            retry = Duration.ofSeconds(r.getSeconds(), r.getNanos());
          }
        } catch (InvalidProtocolBufferException e) {
          // Undecodable details leave the status code, which is enough to decide.
        }
      }
    }
    String message = s.getDescription() != null ? s.getDescription() : String.valueOf(s.getCause());
    return new BuildToValueException(s.getCode(), message, reason, requestId, violations, retry);
  }

  public Status.Code code() {
    return code;
  }

  public String reason() {
    return reason;
  }

  public String requestId() {
    return requestId;
  }

  public List<FieldViolation> fieldViolations() {
    return fieldViolations;
  }

  /** The delay google.rpc.RetryInfo asked for, or null. */
  public Duration retryDelay() {
    return retryDelay;
  }

  /** Whether the caller must fix the request (retrying it cannot succeed). */
  public boolean callerFault() {
    return CALLER_FAULT.contains(code);
  }
}
