package io.qkms.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.qkms.engine.wire.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Turns option values into request JSON as the AWS CLI does: {@code file://} reads text, {@code
 * fileb://} reads raw bytes, blobs are base64 unless raw text is asked for, maps and structures
 * take the shorthand syntax or JSON.
 */
final class ParamValues {
  static final String FILE = "file://";
  static final String FILEB = "fileb://";

  private static final ObjectMapper JSON = Json.mapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** How blob option values given as text are read (--cli-binary-format). */
  enum BinaryFormat {
    BASE64("base64"),
    RAW_IN_BASE64_OUT("raw-in-base64-out");

    final String cliName;

    BinaryFormat(String cliName) {
      this.cliName = cliName;
    }

    static BinaryFormat parse(String s) {
      for (BinaryFormat f : values()) {
        if (f.cliName.equals(s)) {
          return f;
        }
      }
      throw new UsageException(
          "Invalid value for --cli-binary-format: '" + s + "' (base64 or raw-in-base64-out)");
    }
  }

  private ParamValues() {}

  /** A string option: {@code file://FILE} reads the file as text. */
  static String text(String option, String value) {
    return value.startsWith(FILE) ? readText(option, value) : value;
  }

  static int integer(String option, String value) {
    try {
      return Integer.parseInt(text(option, value).strip());
    } catch (NumberFormatException e) {
      throw new UsageException(
          "Invalid value for " + option + ": '" + value + "' is not an integer");
    }
  }

  /** A blob option, as the base64 text the request JSON carries. */
  static String blob(String option, String value, BinaryFormat format) {
    if (value.startsWith(FILEB)) {
      return Base64.getEncoder().encodeToString(readBytes(option, value.substring(FILEB.length())));
    }
    String text = text(option, value);
    if (format == BinaryFormat.RAW_IN_BASE64_OUT) {
      return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
    String b64 = text.strip();
    try {
      Base64.getDecoder().decode(b64);
    } catch (IllegalArgumentException e) {
      // The value is not echoed: it may be a secret given by mistake.
      throw new UsageException(
          "Invalid base64 in "
              + option
              + " (give raw bytes with fileb://FILE, or raw text with --cli-binary-format"
              + " raw-in-base64-out)");
    }
    return b64;
  }

  /** A map of strings: {@code k=v,k2=v2} or a JSON object. */
  static ObjectNode stringMap(String option, String value) {
    String text = text(option, value).strip();
    JsonNode node = text.startsWith("{") ? json(option, text) : Shorthand.parse(option, text);
    if (!node.isObject()) {
      throw new UsageException("Invalid value for " + option + ": expected key=value pairs");
    }
    node.fields()
        .forEachRemaining(
            e -> {
              if (!e.getValue().isTextual()) {
                throw new UsageException(
                    "Invalid value for "
                        + option
                        + ": the value of '"
                        + e.getKey()
                        + "' must be a string");
              }
            });
    return (ObjectNode) node;
  }

  /** A list of strings: each value may be a JSON array, or hold several values split by commas. */
  static ArrayNode stringList(String option, List<String> values) {
    return list(
        option,
        values,
        (array, out) -> {
          for (JsonNode e : array) {
            if (!e.isTextual()) {
              throw new UsageException("Invalid value for " + option + ": expected strings");
            }
            out.add(e);
          }
        },
        (text, out) -> {
          for (String part : text.split(",", -1)) {
            if (!part.isBlank()) {
              out.add(part.strip());
            }
          }
        });
  }

  /** A structure: shorthand {@code A={k=v},B=x} or a JSON object. */
  static ObjectNode structure(String option, String value) {
    String text = text(option, value).strip();
    JsonNode node = text.startsWith("{") ? json(option, text) : Shorthand.parse(option, text);
    if (!node.isObject()) {
      throw new UsageException("Invalid value for " + option + ": expected a structure");
    }
    return (ObjectNode) node;
  }

  /** A JSON array of objects, inline or {@code file://FILE}. */
  static ArrayNode objectArray(String option, String value) {
    JsonNode node = json(option, text(option, value).strip());
    if (!node.isArray()) {
      throw new UsageException("Invalid value for " + option + ": expected a JSON array");
    }
    return (ArrayNode) node;
  }

  /** A list of structures: each value is one in shorthand, or a JSON array (or object). */
  static ArrayNode structureList(String option, List<String> values) {
    return list(
        option,
        values,
        (array, out) -> array.forEach(out::add),
        (text, out) -> out.add(structure(option, text)));
  }

  /** The items of all values: a value that starts with {@code [} is JSON, any other is text. */
  private static ArrayNode list(
      String option,
      List<String> values,
      BiConsumer<JsonNode, ArrayNode> fromJson,
      BiConsumer<String, ArrayNode> fromText) {
    ArrayNode out = NODES.arrayNode();
    for (String v : values) {
      String text = text(option, v).strip();
      if (text.startsWith("[")) {
        fromJson.accept(json(option, text), out);
      } else {
        fromText.accept(text, out);
      }
    }
    return out;
  }

  /** The JSON of --cli-input-json (inline or file://), which must be an object. */
  static ObjectNode inputJson(String value) {
    String text = text("--cli-input-json", value);
    JsonNode node = json("--cli-input-json", text);
    if (!node.isObject()) {
      throw new UsageException("Invalid JSON in --cli-input-json: expected a JSON object");
    }
    return (ObjectNode) node;
  }

  static JsonNode json(String option, String text) {
    try {
      JsonNode node = JSON.readTree(text);
      if (node == null || node.isMissingNode()) {
        throw new UsageException("Invalid JSON in " + option + ": it is empty");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new UsageException(
          "Invalid JSON in "
              + option
              + " near line "
              + e.getLocation().getLineNr()
              + ", column "
              + e.getLocation().getColumnNr());
    }
  }

  static TextNode textNode(String s) {
    return NODES.textNode(s);
  }

  private static String readText(String option, String value) {
    return new String(readBytes(option, value.substring(FILE.length())), StandardCharsets.UTF_8);
  }

  private static byte[] readBytes(String option, String path) {
    try {
      return Files.readAllBytes(Path.of(path));
    } catch (IOException | RuntimeException e) {
      throw new UsageException(
          "Error parsing parameter '"
              + option
              + "': Unable to load paramfile "
              + path
              + ": "
              + describe(e));
    }
  }

  private static String describe(Exception e) {
    if (e instanceof NoSuchFileException) {
      return "No such file";
    }
    if (e instanceof AccessDeniedException) {
      return "Permission denied";
    }
    return e.getClass().getSimpleName();
  }
}
