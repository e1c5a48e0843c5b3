package io.qkms.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Prints responses as the AWS CLI v2 does: JSON indented by four spaces, timestamps in ISO 8601, or
 * tab-separated text; {@code --query} picks one top-level member (the rest of JMESPath is not
 * supported).
 */
final class Output {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern MEMBER_PATH =
      Pattern.compile("[A-Za-z][A-Za-z0-9_]*(\\.[A-Za-z][A-Za-z0-9_]*)*");
  private static final DateTimeFormatter SECONDS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

  /** --output. */
  enum Format {
    JSON,
    TEXT;

    static Format parse(String s) {
      return switch (s) {
        case "json" -> JSON;
        case "text" -> TEXT;
        default ->
            throw new UsageException("Invalid value for --output: '" + s + "' (json or text)");
      };
    }
  }

  private final Format format;
  private final String query;

  Output(Format format, String query) {
    if (query != null && !MEMBER_PATH.matcher(query).matches()) {
      throw new UsageException(
          "--query supports a member name or a path of them, e.g. --query CiphertextBlob or"
              + " --query KeyMetadata.KeyId");
    }
    this.format = format;
    this.query = query;
  }

  /** The text to print for a response body (empty body: nothing, as the AWS CLI prints). */
  String render(byte[] body) {
    if (body.length == 0) {
      return "";
    }
    JsonNode node;
    try {
      node = JSON.readTree(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return render(node);
  }

  String render(JsonNode response) {
    JsonNode node = isoTimestamps(null, response);
    if (query != null) {
      for (String member : query.split("\\.")) {
        JsonNode picked = node.get(member);
        node = picked == null ? NullNode.getInstance() : picked;
      }
    }
    return format == Format.JSON ? pretty(node) : text(node);
  }

  /** One line, as the error goes to stderr: {@code {"__type": "X", "message": "..."}}. */
  static String errorLine(byte[] body) {
    try {
      JsonNode node = JSON.readTree(body);
      List<String> parts = new ArrayList<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        parts.add(
            JSON.writeValueAsString(e.getKey()) + ": " + JSON.writeValueAsString(e.getValue()));
      }
      return "{" + String.join(", ", parts) + "}";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String pretty(JsonNode node) {
    try {
      return JSON.writer(new AwsCliPrettyPrinter()).writeValueAsString(node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The AWS CLI's text output: scalars of an object on one tab-separated line (under the member's
   * name in capitals when nested), lists of scalars on one line, each object of a list on its own.
   */
  private static String text(JsonNode node) {
    List<String> lines = new ArrayList<>();
    text(null, node, lines);
    return String.join("\n", lines);
  }

  private static void text(String name, JsonNode node, List<String> lines) {
    if (node.isObject()) {
      List<String> scalars = new ArrayList<>();
      if (name != null) {
        scalars.add(name.toUpperCase(Locale.ROOT));
      }
      node.fields()
          .forEachRemaining(
              e -> {
                if (isScalar(e.getValue())) {
                  scalars.add(scalar(e.getValue()));
                }
              });
      if (scalars.size() > (name == null ? 0 : 1)) {
        lines.add(String.join("\t", scalars));
      }
      node.fields()
          .forEachRemaining(
              e -> {
                if (!isScalar(e.getValue())) {
                  text(e.getKey(), e.getValue(), lines);
                }
              });
    } else if (node.isArray()) {
      List<String> scalars = new ArrayList<>();
      for (JsonNode e : node) {
        if (isScalar(e)) {
          scalars.add(scalar(e));
        } else {
          text(name, e, lines);
        }
      }
      if (!scalars.isEmpty()) {
        if (name != null) {
          scalars.add(0, name.toUpperCase(Locale.ROOT));
        }
        lines.add(String.join("\t", scalars));
      }
    } else {
      lines.add(scalar(node));
    }
  }

  private static boolean isScalar(JsonNode n) {
    return !n.isContainerNode();
  }

  /** As Python prints them: True/False/None. */
  private static String scalar(JsonNode n) {
    if (n.isNull()) {
      return "None";
    }
    if (n.isBoolean()) {
      return n.booleanValue() ? "True" : "False";
    }
    return n.asText();
  }

  /**
   * The wire carries timestamps as epoch seconds; the AWS CLI v2 shows members named *Date in ISO
   * 8601 ({@code 2026-01-01T00:00:00+00:00}, with microseconds when there are any).
   */
  private static JsonNode isoTimestamps(String name, JsonNode node) {
    if (node.isObject()) {
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      node.fields()
          .forEachRemaining(e -> out.set(e.getKey(), isoTimestamps(e.getKey(), e.getValue())));
      return out;
    }
    if (node.isArray()) {
      var out = JsonNodeFactory.instance.arrayNode();
      node.forEach(e -> out.add(isoTimestamps(name, e)));
      return out;
    }
    if (name != null && name.endsWith("Date") && node.isNumber()) {
      return JsonNodeFactory.instance.textNode(iso(node.decimalValue()));
    }
    return node;
  }

  static String iso(BigDecimal epochSeconds) {
    long micros = epochSeconds.movePointRight(6).longValue();
    Instant t = Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L));
    long fraction = Math.floorMod(micros, 1_000_000L);
    return SECONDS.format(t) + (fraction == 0 ? "" : String.format(".%06d", fraction)) + "+00:00";
  }

  /** Four-space indents, {@code "key": value}, and {@code []} / {@code {}} when empty. */
  private static final class AwsCliPrettyPrinter extends DefaultPrettyPrinter {
    private static final long serialVersionUID = 1L;

    AwsCliPrettyPrinter() {
      DefaultIndenter indenter = new DefaultIndenter("    ", "\n");
      indentObjectsWith(indenter);
      indentArraysWith(indenter);
    }

    @Override
    public DefaultPrettyPrinter createInstance() {
      return new AwsCliPrettyPrinter();
    }

    @Override
    public void writeObjectFieldValueSeparator(JsonGenerator g) throws IOException {
      g.writeRaw(": ");
    }

    @Override
    public void writeEndArray(JsonGenerator g, int nrOfValues) throws IOException {
      if (nrOfValues == 0) {
        _nesting--;
        g.writeRaw(']');
      } else {
        super.writeEndArray(g, nrOfValues);
      }
    }

    @Override
    public void writeEndObject(JsonGenerator g, int nrOfEntries) throws IOException {
      if (nrOfEntries == 0) {
        _nesting--;
        g.writeRaw('}');
      } else {
        super.writeEndObject(g, nrOfEntries);
      }
    }
  }
}
