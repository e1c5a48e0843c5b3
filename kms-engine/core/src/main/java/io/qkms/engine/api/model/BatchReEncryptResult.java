package io.qkms.engine.api.model;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import io.qkms.engine.api.errors.KmsException;
import java.io.IOException;
import java.util.Objects;

/**
 * The result of one item of a BatchReEncrypt: either its ReEncrypt response, or its error. On the
 * wire it is the ReEncrypt response object itself, or an error object {@code {"__type":
 * "<ErrorCode>", "message": "..."}} as a failed call's body.
 *
 * @param response the item's response; null if it failed
 * @param errorCode the item's error code, e.g. {@code InvalidCiphertextException}; null if it
 *     succeeded
 * @param message the error's message; null if it succeeded (or the error has none)
 */
@JsonSerialize(using = BatchReEncryptResult.Writer.class)
@JsonDeserialize(using = BatchReEncryptResult.Reader.class)
public record BatchReEncryptResult(ReEncryptResponse response, String errorCode, String message) {
  public BatchReEncryptResult {
    if ((response == null) == (errorCode == null)) {
      throw new IllegalArgumentException("A result is either a response or an error");
    }
  }

  /** A successful item. */
  public static BatchReEncryptResult of(ReEncryptResponse response) {
    return new BatchReEncryptResult(Objects.requireNonNull(response, "response"), null, null);
  }

  /** A failed item. */
  public static BatchReEncryptResult error(KmsException e) {
    return new BatchReEncryptResult(null, e.errorCode(), e.getMessage());
  }

  /** A failed item, by error code and message. */
  public static BatchReEncryptResult error(String errorCode, String message) {
    return new BatchReEncryptResult(null, Objects.requireNonNull(errorCode, "errorCode"), message);
  }

  public boolean isError() {
    return errorCode != null;
  }

  static final class Writer extends JsonSerializer<BatchReEncryptResult> {
    @Override
    public void serialize(BatchReEncryptResult r, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      if (r.response != null) {
        provider.defaultSerializeValue(r.response, gen);
        return;
      }
      gen.writeStartObject();
      gen.writeStringField("__type", r.errorCode);
      if (r.message != null && !r.message.isEmpty()) {
        gen.writeStringField("message", r.message);
      }
      gen.writeEndObject();
    }
  }

  static final class Reader extends JsonDeserializer<BatchReEncryptResult> {
    @Override
    public BatchReEncryptResult deserialize(JsonParser p, DeserializationContext ctxt)
        throws IOException {
      JsonNode node = ctxt.readTree(p);
      JsonNode type = node.get("__type");
      if (type != null) {
        JsonNode message = node.get("message");
        return error(type.asText(), message == null ? null : message.asText());
      }
      return of(ctxt.readTreeAsValue(node, ReEncryptResponse.class));
    }
  }
}
