package io.qkms.engine.api;

import com.google.errorprone.annotations.CheckReturnValue;
import java.util.List;
import java.util.Objects;

/**
 * One operation of the API, an entry of the catalogue ({@link Operations}): its name and service
 * (as in {@code X-Amz-Target: TrentService.<name>}; {@code QkmsService} for what AWS KMS does not
 * have), its request type, how it runs on a {@link Kms}, whether it changes the key store, and
 * which grant operations can allow it. Immutable.
 *
 * @param <I> the request type
 * @param <O> the response type ({@link Void} for operations that answer nothing)
 */
@CheckReturnValue
public final class Operation<I, O> {
  /** Runs the operation on an engine. */
  @FunctionalInterface
  public interface Handler<I, O> {
    O call(Kms kms, Caller caller, I request);
  }

  /** An operation that answers nothing, as {@code Kms::enableKey}. */
  @FunctionalInterface
  public interface NoOutputHandler<I> {
    void call(Kms kms, Caller caller, I request);
  }

  /** The service of AWS KMS's operations, as in {@code TrentService.ReEncrypt}. */
  public static final String AWS_SERVICE = "TrentService";

  /** The service of QKMS's own operations, as in {@code QkmsService.BatchReEncrypt}. */
  public static final String QKMS_SERVICE = "QkmsService";

  private final String service;
  private final String name;
  private final Class<I> requestType;
  private final Handler<I, O> handler;
  private final boolean writesStore;
  private final boolean batch;
  private final List<String> grantOperations;

  private Operation(
      String service,
      String name,
      Class<I> requestType,
      Handler<I, O> handler,
      boolean writesStore,
      boolean batch,
      List<String> grantOperations) {
    this.service = Objects.requireNonNull(service, "service");
    this.name = Objects.requireNonNull(name, "name");
    this.requestType = Objects.requireNonNull(requestType, "requestType");
    this.handler = Objects.requireNonNull(handler, "handler");
    this.writesStore = writesStore;
    this.batch = batch;
    this.grantOperations = List.copyOf(grantOperations);
  }

  /** An operation that only reads keys (a due automatic rotation it finds may still be saved). */
  static <I, O> Operation<I, O> reading(String name, Class<I> requestType, Handler<I, O> handler) {
    return new Operation<>(AWS_SERVICE, name, requestType, handler, false, false, List.of());
  }

  /** An operation that changes the key store. */
  static <I, O> Operation<I, O> writing(String name, Class<I> requestType, Handler<I, O> handler) {
    return new Operation<>(AWS_SERVICE, name, requestType, handler, true, false, List.of());
  }

  /** {@code handler} as a handler that answers null. */
  static <I> Handler<I, Void> noOutput(NoOutputHandler<I> handler) {
    return (kms, caller, request) -> {
      handler.call(kms, caller, request);
      return null;
    };
  }

  /** A copy that grants for these grant operations can allow, as well as the key policy. */
  Operation<I, O> grantedBy(String... grantOperations) {
    return new Operation<>(
        service, name, requestType, handler, writesStore, batch, List.of(grantOperations));
  }

  /** A copy in QKMS's own service ({@value #QKMS_SERVICE}): an operation AWS KMS does not have. */
  Operation<I, O> qkmsOnly() {
    return new Operation<>(
        QKMS_SERVICE, name, requestType, handler, writesStore, batch, grantOperations);
  }

  /** A copy that is a batch: one call does the work of many (up to 1,000 items). */
  Operation<I, O> batch() {
    return new Operation<>(service, name, requestType, handler, writesStore, true, grantOperations);
  }

  /** The operation's name, e.g. {@code ReEncrypt}. */
  public String name() {
    return name;
  }

  /** Its service: {@value #AWS_SERVICE}, or {@value #QKMS_SERVICE} for QKMS's own operations. */
  public String service() {
    return service;
  }

  /** Its {@code X-Amz-Target}, e.g. {@code TrentService.ReEncrypt}. */
  public String target() {
    return service + "." + name;
  }

  public Class<I> requestType() {
    return requestType;
  }

  /**
   * Whether the operation changes the key store (it writes and syncs the store file, so the HTTP
   * endpoint runs it off its network threads).
   */
  public boolean writesStore() {
    return writesStore;
  }

  /**
   * Whether one call does the work of many calls (BatchReEncrypt: up to 1,000 items). Its request
   * is larger, and it takes longer: the HTTP endpoint allows it a larger body and runs it off its
   * network threads.
   */
  public boolean isBatch() {
    return batch;
  }

  /** Whether a grant, not only the key policy, can allow the operation. */
  public boolean isGrantable() {
    return !grantOperations.isEmpty();
  }

  /** The grant operations that can allow it, e.g. ReEncryptFrom and ReEncryptTo; may be empty. */
  public List<String> grantOperations() {
    return grantOperations;
  }

  /** Runs the operation on {@code kms} as {@code caller}. */
  public O call(Kms kms, Caller caller, I request) {
    return handler.call(kms, caller, request);
  }

  @Override
  public String toString() {
    return "Operation[" + target() + "]";
  }
}
