package io.qkms.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.qkms.pipeline.transform.FieldEncoding;
import io.qkms.pipeline.transform.FieldRule;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A job spec file ({@code --spec}), YAML or JSON, for jobs whose fields need different keys or
 * contexts:
 *
 * <pre>
 * destinationKeyId: alias/payments-2026          # defaults for every field (flags override)
 * sourceEncryptionContext: {tenant: "${tenant_id}"}
 * destinationEncryptionContext: {tenant: "${tenant_id}"}
 * grantTokens: []
 * fields:
 *   - card.number                                 # a path alone takes the defaults
 *   - path: items[].secret                        # or a path with settings of its own
 *     sourceKeyId: alias/items-old
 *     destinationKeyId: alias/items-2026
 *     destinationEncryptionContext: {tenant: "${tenant_id}", kind: item}
 *   - path: document                              # encoding: qkms (default), tink-envelope,
 *     encoding: tink-envelope                     #   edk-column (or --fieldEncoding for all)
 * </pre>
 */
record JobSpec(
    String sourceKeyId,
    String destinationKeyId,
    Map<String, String> sourceEncryptionContext,
    Map<String, String> destinationEncryptionContext,
    List<String> grantTokens,
    List<FieldRule> fields) {

  private static final Set<String> TOP =
      Set.of(
          "sourceKeyId",
          "destinationKeyId",
          "sourceEncryptionContext",
          "destinationEncryptionContext",
          "grantTokens",
          "fields");
  private static final Set<String> FIELD =
      Set.of(
          "path",
          "sourceKeyId",
          "destinationKeyId",
          "sourceEncryptionContext",
          "destinationEncryptionContext",
          "encoding");

  static JobSpec read(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "Cannot read the job spec " + file + ": " + e.getMessage());
    }
    boolean json = file.getFileName().toString().toLowerCase().endsWith(".json");
    return parse(text, json, file.toString());
  }

  static JobSpec parse(String text, boolean json, String name) {
    ObjectMapper mapper = json ? new ObjectMapper() : new YAMLMapper();
    JsonNode root;
    try {
      root = mapper.readTree(text);
    } catch (JsonProcessingException e) {
      int line = e.getLocation() == null ? -1 : e.getLocation().getLineNr();
      throw new IllegalArgumentException(
          "The job spec "
              + name
              + " is not valid "
              + (json ? "JSON" : "YAML")
              + (line > 0 ? " (line " + line + ")" : ""));
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("The job spec " + name + " must be an object (a mapping)");
    }
    checkKeys(root, TOP, "The job spec " + name);
    List<FieldRule> fields = new ArrayList<>();
    JsonNode fs = root.get("fields");
    if (fs != null) {
      if (!fs.isArray()) {
        throw new IllegalArgumentException("The job spec's fields must be a list");
      }
      for (JsonNode f : fs) {
        fields.add(field(f));
      }
    }
    return new JobSpec(
        text(root, "sourceKeyId"),
        text(root, "destinationKeyId"),
        context(root, "sourceEncryptionContext"),
        context(root, "destinationEncryptionContext"),
        list(root, "grantTokens"),
        List.copyOf(fields));
  }

  private static FieldRule field(JsonNode f) {
    if (f.isTextual()) {
      return FieldRule.of(f.textValue());
    }
    if (!f.isObject() || f.get("path") == null || !f.get("path").isTextual()) {
      throw new IllegalArgumentException(
          "Each entry of the job spec's fields is a path, or a mapping with a path");
    }
    String path = f.get("path").textValue();
    checkKeys(f, FIELD, "The job spec's field " + path);
    FieldRule rule = FieldRule.of(path);
    if (f.has("sourceKeyId")) {
      rule = rule.withSourceKeyId(text(f, "sourceKeyId"));
    }
    if (f.has("destinationKeyId")) {
      rule = rule.withDestinationKeyId(text(f, "destinationKeyId"));
    }
    if (f.has("sourceEncryptionContext")) {
      rule = rule.withSourceEncryptionContext(context(f, "sourceEncryptionContext"));
    }
    if (f.has("destinationEncryptionContext")) {
      rule = rule.withDestinationEncryptionContext(context(f, "destinationEncryptionContext"));
    }
    if (f.has("encoding")) {
      try {
        rule = rule.withEncoding(FieldEncoding.parse(text(f, "encoding")));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("The job spec's field " + path + ": " + e.getMessage());
      }
    }
    return rule;
  }

  private static void checkKeys(JsonNode node, Set<String> allowed, String what) {
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String n = names.next();
      if (!allowed.contains(n)) {
        throw new IllegalArgumentException(
            what
                + " has an unknown setting '"
                + n
                + "' (known: "
                + String.join(", ", allowed.stream().sorted().toList())
                + ")");
      }
    }
  }

  private static String text(JsonNode node, String key) {
    JsonNode v = node.get(key);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw new IllegalArgumentException("The job spec's " + key + " must be a string");
    }
    return v.textValue();
  }

  private static List<String> list(JsonNode node, String key) {
    JsonNode v = node.get(key);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isArray()) {
      throw new IllegalArgumentException("The job spec's " + key + " must be a list of strings");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode e : v) {
      if (!e.isTextual()) {
        throw new IllegalArgumentException("The job spec's " + key + " must be a list of strings");
      }
      out.add(e.textValue());
    }
    return List.copyOf(out);
  }

  /** A context: a mapping of strings to scalars (numbers and booleans are taken as text). */
  static Map<String, String> context(JsonNode node, String key) {
    JsonNode v = node.get(key);
    if (v == null || v.isNull()) {
      return null;
    }
    return contextOf(v, key);
  }

  static Map<String, String> contextOf(JsonNode v, String what) {
    if (!v.isObject()) {
      throw new IllegalArgumentException(what + " must be a JSON object of strings");
    }
    Map<String, String> out = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> it = v.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isValueNode() || e.getValue().isNull()) {
        throw new IllegalArgumentException(
            what + ": the value of '" + e.getKey() + "' must be a string");
      }
      out.put(e.getKey(), e.getValue().asText());
    }
    return out;
  }

  /** Parses a context given on the command line. */
  static Map<String, String> parseContextFlag(String json, String flag) {
    if (json == null || json.isBlank()) {
      return null;
    }
    try {
      return contextOf(new ObjectMapper().readTree(json), "--" + flag);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "--" + flag + " must be a JSON object such as {\"tenant\":\"${tenant_id}\"}");
    }
  }
}
