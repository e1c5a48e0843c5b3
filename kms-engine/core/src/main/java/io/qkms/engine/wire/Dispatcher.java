package io.qkms.engine.wire;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qkms.engine.api.Caller;
import io.qkms.engine.api.Kms;
import io.qkms.engine.api.Operation;
import io.qkms.engine.api.Operations;
import io.qkms.engine.api.errors.KmsException;
import io.qkms.engine.internal.auth.GrantsUsed;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps {@code (X-Amz-Target, JSON body, caller)} to {@code (HTTP status, JSON body)}: the one place
 * the wire protocol meets the engine, shared by the HTTP endpoint and the command line. Success is
 * 200 with the response JSON; client errors are 400 and server faults 500, both with {@code
 * {"__type": "<ErrorCode>", "message": "..."}}. Malformed JSON is a SerializationException, an
 * unknown target an UnknownOperationException. Nothing from a request body is copied into an error
 * message, since bodies may hold plaintext.
 */
public final class Dispatcher {
  /** The prefix of AWS KMS's targets, as in {@code TrentService.ReEncrypt}. */
  public static final String TARGET_PREFIX = Operation.AWS_SERVICE + ".";

  /**
   * Runs a call the dispatcher has read, in place of {@code op.call(kms, caller, request)}: where
   * an adapter applies what is not the engine's business (the HTTP endpoint's request quota). It
   * may refuse the call with a {@link KmsException}, or run it on a changed request.
   */
  @FunctionalInterface
  public interface Interceptor {
    <I, O> O call(Operation<I, O> op, Kms kms, Caller caller, I request);
  }

  private static final Interceptor DIRECT =
      new Interceptor() {
        @Override
        public <I, O> O call(Operation<I, O> op, Kms kms, Caller caller, I request) {
          return op.call(kms, caller, request);
        }
      };

  private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
  private static final byte[] EMPTY = new byte[0];
  private static final byte[] EMPTY_OBJECT = {'{', '}'};

  private final ObjectMapper json = Json.mapper();
  private final Kms kms;
  private final Interceptor interceptor;

  /** A dispatcher of every operation of the catalogue ({@link Operations}) to {@code kms}. */
  public Dispatcher(Kms kms) {
    this(kms, DIRECT);
  }

  /** As {@link #Dispatcher(Kms)}, every call run through {@code interceptor}. */
  public Dispatcher(Kms kms, Interceptor interceptor) {
    this.kms = Objects.requireNonNull(kms, "kms");
    this.interceptor = Objects.requireNonNull(interceptor, "interceptor");
  }

  /**
   * The operation a target names, e.g. {@code TrentService.ReEncrypt} or {@code
   * QkmsService.BatchReEncrypt}; null if none (or no target).
   */
  public static Operation<?, ?> operation(String target) {
    return Operations.forTarget(target);
  }

  /**
   * Runs one call.
   *
   * @param target the X-Amz-Target header, e.g. {@code TrentService.ReEncrypt}
   * @param body the request body (JSON); empty is read as {@code {}}
   */
  public WireResponse dispatch(String target, byte[] body, Caller caller) {
    Operation<?, ?> op = operation(target);
    if (op == null) {
      return WireResponse.error(400, "UnknownOperationException", null);
    }
    return run(op, body, caller);
  }

  private <I> WireResponse run(Operation<I, ?> op, byte[] body, Caller caller) {
    I request;
    try {
      request =
          json.readValue(body == null || body.length == 0 ? EMPTY_OBJECT : body, op.requestType());
      if (request == null) {
        return WireResponse.error(
            400, "SerializationException", "The request body must be a JSON object.");
      }
    } catch (KmsException e) {
      return WireResponse.error(400, e.errorCode(), e.getMessage()); // a request type's own check
    } catch (JsonMappingException e) {
      return WireResponse.error(400, "SerializationException", describe(e));
    } catch (IOException e) {
      return WireResponse.error(
          400, "SerializationException", "The request body is not valid JSON.");
    }
    Set<String> grantIds = new LinkedHashSet<>();
    try {
      I in = request;
      Object response = GrantsUsed.collect(() -> interceptor.call(op, kms, caller, in), grantIds);
      return new WireResponse(
          200,
          response == null ? EMPTY : json.writeValueAsBytes(response),
          null,
          List.copyOf(grantIds));
    } catch (KmsException e) {
      return WireResponse.error(e.isServerFault() ? 500 : 400, e.errorCode(), e.getMessage())
          .withGrantIds(List.copyOf(grantIds));
    } catch (JsonProcessingException | RuntimeException e) {
      // A real internal fault. Its message may quote data, so only its type and stack are logged.
      LOG.error(
          "Internal error in {}: {}", op.requestType().getSimpleName(), e.getClass().getName());
      if (LOG.isDebugEnabled()) {
        LOG.debug("Stack of the internal error", scrubbed(e));
      }
      return WireResponse.error(500, "KMSInternalException", "An internal error occurred.");
    }
  }

  /** Names the offending member without echoing its value. */
  private static String describe(JsonMappingException e) {
    List<String> names = new ArrayList<>();
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getFrom() instanceof Map<?, ?>
          || r.getFrom() instanceof Class<?> c && Map.class.isAssignableFrom(c)) {
        break; // map keys (encryption context keys) are caller data: name only the member
      }
      names.add(r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]");
    }
    String path = String.join(".", names);
    return path.isEmpty()
        ? "The request body is not a valid JSON object for this operation."
        : "Invalid value for '" + path + "'.";
  }

  private static Throwable scrubbed(Throwable e) {
    Throwable t = new Throwable(e.getClass().getName());
    t.setStackTrace(e.getStackTrace());
    return t;
  }
}
