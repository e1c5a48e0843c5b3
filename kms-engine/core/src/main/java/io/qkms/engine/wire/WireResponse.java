package io.qkms.engine.wire;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What the dispatcher answers: an HTTP status and a JSON body (empty for operations without
 * output), plus the error code when the call failed, and the grants that allowed it (for the audit
 * trail).
 *
 * @param errorCode the {@code __type} of an error response, or null on success
 * @param grantIds the IDs of the grants that allowed the call (or part of a batch) where the key
 *     policy alone did not; empty if none
 */
public record WireResponse(int status, byte[] body, String errorCode, List<String> grantIds) {
  public static final String CONTENT_TYPE = "application/x-amz-json-1.1";

  public WireResponse {
    grantIds = List.copyOf(grantIds);
  }

  /** An answer no grant allowed. */
  public WireResponse(int status, byte[] body, String errorCode) {
    this(status, body, errorCode, List.of());
  }

  /** This answer, allowed by these grants. */
  public WireResponse withGrantIds(List<String> ids) {
    return new WireResponse(status, body, errorCode, ids);
  }

  /**
   * An error answer in the API's shape, {@code {"__type": "<ErrorCode>", "message": "..."}} (no
   * message member when {@code message} is null or empty): the one builder of error bodies, for the
   * dispatcher and the adapters' own errors.
   */
  public static WireResponse error(int status, String errorCode, String message) {
    ObjectNode node = Json.mapper().createObjectNode();
    node.put("__type", errorCode);
    if (message != null && !message.isEmpty()) {
      node.put("message", message);
    }
    try {
      return new WireResponse(status, Json.mapper().writeValueAsBytes(node), errorCode);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public boolean isError() {
    return errorCode != null;
  }

  public String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }
}
