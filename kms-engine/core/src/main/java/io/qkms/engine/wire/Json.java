package io.qkms.engine.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;

/**
 * The JSON 1.1 wire conventions of the API: blobs as base64 strings, timestamps as epoch seconds
 * (with milliseconds), absent members omitted, and strict parsing: no duplicate members, no
 * trailing content, no silent coercion of numbers or booleans to strings or back.
 */
public final class Json {
  private static final ObjectMapper MAPPER = newMapper();

  private Json() {}

  /** The shared, thread-safe mapper for the wire model. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  private static ObjectMapper newMapper() {
    SimpleModule time = new SimpleModule("qkms-epoch-seconds");
    time.addSerializer(Instant.class, new EpochSecondsSerializer());
    time.addDeserializer(Instant.class, new EpochSecondsDeserializer());
    time.addDeserializer(byte[].class, new Base64BlobDeserializer());
    JsonMapper mapper =
        JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .addModule(time)
            .build();
    for (CoercionInputShape shape :
        new CoercionInputShape[] {
          CoercionInputShape.Integer, CoercionInputShape.Float, CoercionInputShape.Boolean
        }) {
      mapper.coercionConfigFor(LogicalType.Textual).setCoercion(shape, CoercionAction.Fail);
    }
    return mapper;
  }

  private static final class EpochSecondsSerializer extends JsonSerializer<Instant> {
    @Override
    public void serialize(Instant value, JsonGenerator gen, SerializerProvider serializers)
        throws IOException {
      gen.writeNumber(BigDecimal.valueOf(value.toEpochMilli(), 3));
    }
  }

  /**
   * Blobs are base64 strings only; Jackson's own byte[] reader would also take an array of byte
   * values. The error names no content: the dispatcher adds the member's name.
   */
  private static final class Base64BlobDeserializer extends JsonDeserializer<byte[]> {
    @Override
    public byte[] deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (p.currentToken() == JsonToken.VALUE_EMBEDDED_OBJECT
          && p.getEmbeddedObject() instanceof byte[] b) {
        return b; // already binary, e.g. from a TokenBuffer
      }
      if (p.currentToken() != JsonToken.VALUE_STRING) {
        throw MismatchedInputException.from(p, byte[].class, "A blob must be a base64 string");
      }
      try {
        return p.getBinaryValue(ctxt.getBase64Variant());
      } catch (StreamReadException e) {
        throw MismatchedInputException.from(p, byte[].class, "A blob must be valid base64");
      }
    }
  }

  private static final class EpochSecondsDeserializer extends JsonDeserializer<Instant> {
    @Override
    public Instant deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (p.currentToken() != JsonToken.VALUE_NUMBER_INT
          && p.currentToken() != JsonToken.VALUE_NUMBER_FLOAT) {
        return (Instant) ctxt.handleUnexpectedToken(Instant.class, p);
      }
      BigDecimal seconds = p.getDecimalValue();
      return Instant.ofEpochMilli(seconds.movePointRight(3).longValue());
    }
  }
}
