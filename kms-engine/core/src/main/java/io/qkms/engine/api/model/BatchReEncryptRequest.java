package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.qkms.engine.api.errors.ValidationException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * QkmsService.BatchReEncrypt (not an AWS KMS operation): up to {@value #MAX_ITEMS} ReEncrypt
 * requests, each run, authorized and answered on its own, in order.
 *
 * <p>On the wire the body is {@code {"Items": [<ReEncrypt request>, ...]}}. A body that is not an
 * object, has no {@code Items} array, or has an item that is not an object is refused as a whole
 * with ValidationException; so is a batch of no items or more than {@value #MAX_ITEMS} (the engine
 * checks the count). An item whose members have the wrong JSON types makes the body unreadable for
 * this operation (SerializationException), as for any operation.
 *
 * @param items the ReEncrypt requests
 */
@JsonDeserialize(using = BatchReEncryptRequest.Reader.class)
public record BatchReEncryptRequest(@JsonProperty("Items") List<ReEncryptRequest> items) {
  /** The most items one batch may have. */
  public static final int MAX_ITEMS = 1000;

  public BatchReEncryptRequest {
    items = Values.copy(items);
  }

  @Override
  public String toString() {
    return "BatchReEncryptRequest[" + (items == null ? "no items" : items.size() + " items") + "]";
  }

  /** Reads the batch's structure itself, so that a malformed batch is a ValidationException. */
  static final class Reader extends JsonDeserializer<BatchReEncryptRequest> {
    private static final String NOT_AN_OBJECT =
        "The request body must be a JSON object with Items.";

    @Override
    public BatchReEncryptRequest getNullValue(DeserializationContext ctxt) {
      throw new ValidationException(NOT_AN_OBJECT); // a body of JSON null
    }

    @Override
    public BatchReEncryptRequest deserialize(JsonParser p, DeserializationContext ctxt)
        throws IOException {
      if (p.currentToken() != JsonToken.START_OBJECT) {
        throw new ValidationException(NOT_AN_OBJECT);
      }
      List<ReEncryptRequest> items = null;
      for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        if (!"Items".equals(name)) {
          p.skipChildren(); // unknown members are ignored, as in every request
          continue;
        }
        if (value != JsonToken.START_ARRAY) {
          throw new ValidationException("Items must be an array of ReEncrypt requests.");
        }
        items = new ArrayList<>();
        for (JsonToken item = p.nextToken(); item != JsonToken.END_ARRAY; item = p.nextToken()) {
          if (item != JsonToken.START_OBJECT) {
            throw new ValidationException(
                "Items[" + items.size() + "] must be a ReEncrypt request (a JSON object).");
          }
          if (items.size() == MAX_ITEMS) {
            throw new ValidationException(tooMany());
          }
          try {
            items.add(ctxt.readValue(p, ReEncryptRequest.class));
          } catch (JsonMappingException e) {
            // Names the member as Items.[i].Member, never its value.
            throw JsonMappingException.wrapWithPath(
                JsonMappingException.wrapWithPath(e, items, items.size()),
                BatchReEncryptRequest.class,
                "Items");
          }
        }
      }
      if (items == null) {
        throw new ValidationException("Items is required: an array of ReEncrypt requests.");
      }
      return new BatchReEncryptRequest(items);
    }
  }

  /** The message for a batch of more than {@value #MAX_ITEMS} items. */
  public static String tooMany() {
    return "1 validation error detected: Value at 'items' failed to satisfy constraint: Member"
        + " must have length less than or equal to "
        + MAX_ITEMS;
  }
}
