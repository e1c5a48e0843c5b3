package io.qkms.engine.wire;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qkms.engine.api.Caller;
import io.qkms.engine.api.Kms;
import io.qkms.engine.api.errors.KmsException;
import io.qkms.engine.api.model.*;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
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
  /** The prefix of every target, as in {@code TrentService.ReEncrypt}. */
  public static final String TARGET_PREFIX = "TrentService.";

  private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
  private static final byte[] EMPTY = new byte[0];

  private record Operation<I>(Class<I> requestType, BiFunction<Caller, I, Object> handler) {}

  private final ObjectMapper json = Json.mapper();
  private final Map<String, Operation<?>> operations;

  public Dispatcher(Kms kms) {
    Map<String, Operation<?>> ops = new LinkedHashMap<>();
    register(ops, "CreateKey", CreateKeyRequest.class, kms::createKey);
    register(ops, "DescribeKey", DescribeKeyRequest.class, kms::describeKey);
    register(ops, "ListKeys", ListKeysRequest.class, kms::listKeys);
    register(ops, "EnableKey", EnableKeyRequest.class, voidOp(kms::enableKey));
    register(ops, "DisableKey", DisableKeyRequest.class, voidOp(kms::disableKey));
    register(
        ops, "ScheduleKeyDeletion", ScheduleKeyDeletionRequest.class, kms::scheduleKeyDeletion);
    register(ops, "CancelKeyDeletion", CancelKeyDeletionRequest.class, kms::cancelKeyDeletion);
    register(ops, "CreateAlias", CreateAliasRequest.class, voidOp(kms::createAlias));
    register(ops, "UpdateAlias", UpdateAliasRequest.class, voidOp(kms::updateAlias));
    register(ops, "DeleteAlias", DeleteAliasRequest.class, voidOp(kms::deleteAlias));
    register(ops, "ListAliases", ListAliasesRequest.class, kms::listAliases);
    register(ops, "Encrypt", EncryptRequest.class, kms::encrypt);
    register(ops, "Decrypt", DecryptRequest.class, kms::decrypt);
    register(ops, "ReEncrypt", ReEncryptRequest.class, kms::reEncrypt);
    register(ops, "GenerateDataKey", GenerateDataKeyRequest.class, kms::generateDataKey);
    register(
        ops,
        "GenerateDataKeyWithoutPlaintext",
        GenerateDataKeyWithoutPlaintextRequest.class,
        kms::generateDataKeyWithoutPlaintext);
    register(ops, "RotateKeyOnDemand", RotateKeyOnDemandRequest.class, kms::rotateKeyOnDemand);
    register(
        ops, "EnableKeyRotation", EnableKeyRotationRequest.class, voidOp(kms::enableKeyRotation));
    register(
        ops,
        "DisableKeyRotation",
        DisableKeyRotationRequest.class,
        voidOp(kms::disableKeyRotation));
    register(
        ops, "GetKeyRotationStatus", GetKeyRotationStatusRequest.class, kms::getKeyRotationStatus);
    register(ops, "ListKeyRotations", ListKeyRotationsRequest.class, kms::listKeyRotations);
    register(ops, "CreateGrant", CreateGrantRequest.class, kms::createGrant);
    register(ops, "ListGrants", ListGrantsRequest.class, kms::listGrants);
    register(ops, "RetireGrant", RetireGrantRequest.class, voidOp(kms::retireGrant));
    register(ops, "RevokeGrant", RevokeGrantRequest.class, voidOp(kms::revokeGrant));
    register(ops, "PutKeyPolicy", PutKeyPolicyRequest.class, voidOp(kms::putKeyPolicy));
    register(ops, "GetKeyPolicy", GetKeyPolicyRequest.class, kms::getKeyPolicy);
    register(ops, "ReplicateKey", ReplicateKeyRequest.class, kms::replicateKey);
    this.operations = Collections.unmodifiableMap(ops);
  }

  private static <I> void register(
      Map<String, Operation<?>> ops,
      String name,
      Class<I> type,
      BiFunction<Caller, I, Object> handler) {
    ops.put(name, new Operation<>(type, handler));
  }

  private static <I> BiFunction<Caller, I, Object> voidOp(
      java.util.function.BiConsumer<Caller, I> op) {
    return (c, r) -> {
      op.accept(c, r);
      return null;
    };
  }

  /** Operation names this dispatcher serves, e.g. {@code ReEncrypt}. */
  public Set<String> operationNames() {
    return operations.keySet();
  }

  /**
   * Runs one call.
   *
   * @param target the X-Amz-Target header, e.g. {@code TrentService.ReEncrypt}
   * @param body the request body (JSON); empty is read as {@code {}}
   */
  public WireResponse dispatch(String target, byte[] body, Caller caller) {
    Operation<?> op =
        target != null && target.startsWith(TARGET_PREFIX)
            ? operations.get(target.substring(TARGET_PREFIX.length()))
            : null;
    if (op == null) {
      return error(400, "UnknownOperationException", null);
    }
    return run(op, body, caller);
  }

  private <I> WireResponse run(Operation<I> op, byte[] body, Caller caller) {
    I request;
    try {
      request =
          json.readValue(
              body == null || body.length == 0 ? "{}".getBytes() : body, op.requestType());
      if (request == null) {
        return error(400, "SerializationException", "The request body must be a JSON object.");
      }
    } catch (JsonMappingException e) {
      return error(400, "SerializationException", describe(e));
    } catch (IOException e) {
      return error(400, "SerializationException", "The request body is not valid JSON.");
    }
    try {
      Object response = op.handler().apply(caller, request);
      return new WireResponse(
          200, response == null ? EMPTY : json.writeValueAsBytes(response), null);
    } catch (KmsException e) {
      return error(e.isServerFault() ? 500 : 400, e.errorCode(), e.getMessage());
    } catch (JsonProcessingException | RuntimeException e) {
      // A real internal fault. Its message may quote data, so only its type and stack are logged.
      LOG.error(
          "Internal error in {}: {}", op.requestType().getSimpleName(), e.getClass().getName());
      if (LOG.isDebugEnabled()) {
        LOG.debug("Stack of the internal error", scrubbed(e));
      }
      return error(500, "KMSInternalException", "An internal error occurred.");
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

  private WireResponse error(int status, String code, String message) {
    ObjectNode node = json.createObjectNode();
    node.put("__type", code);
    if (message != null && !message.isEmpty()) {
      node.put("message", message);
    }
    try {
      return new WireResponse(status, json.writeValueAsBytes(node), code);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
