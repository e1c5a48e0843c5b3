package io.qkms.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qkms.engine.wire.Json;

/** AWS-style error bodies: {@code {"__type": "<ErrorCode>", "message": "..."}}. */
final class ErrorBodies {
  private ErrorBodies() {}

  static byte[] of(String errorCode, String message) {
    ObjectNode node = Json.mapper().createObjectNode();
    node.put("__type", errorCode);
    if (message != null && !message.isEmpty()) {
      node.put("message", message);
    }
    try {
      return Json.mapper().writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
