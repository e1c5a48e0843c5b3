package io.qkms.engine.audit;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Builds a trail's event for one API call, as CloudTrail records KMS calls: the request's
 * parameters by an allow-list (key IDs, encryption contexts, algorithms, grant and alias names;
 * never plaintexts, ciphertext blobs, grant tokens, policies or tags), the key ARNs the call
 * involved, and in {@code additionalEventData} the key material IDs from the response and the IDs
 * of the grants that allowed the call.
 */
public final class AuditEvents {
  /** Request fields recorded as they are (CloudTrail's requestParameters). */
  private static final Set<String> REQUEST_FIELDS =
      Set.of(
          "KeyId",
          "SourceKeyId",
          "DestinationKeyId",
          "EncryptionContext",
          "SourceEncryptionContext",
          "DestinationEncryptionContext",
          "EncryptionAlgorithm",
          "SourceEncryptionAlgorithm",
          "DestinationEncryptionAlgorithm",
          "KeySpec",
          "KeyUsage",
          "NumberOfBytes",
          "AliasName",
          "TargetKeyId",
          "GrantId",
          "GranteePrincipal",
          "RetiringPrincipal",
          "Operations",
          "PendingWindowInDays",
          "DryRun",
          "Limit");

  /** Response fields that name keys and key material. */
  private static final Set<String> KEY_FIELDS = Set.of("KeyId", "SourceKeyId", "TargetKeyId");

  private static final Set<String> MATERIAL_FIELDS =
      Set.of("KeyMaterialId", "SourceKeyMaterialId", "DestinationKeyMaterialId");

  /** What {@link #collect} reads of a response, kept whole. */
  private static final Set<String> RESPONSE_FIELDS =
      Stream.of(KEY_FIELDS, MATERIAL_FIELDS, Set.of("KeyMetadata"))
          .flatMap(Set::stream)
          .collect(Collectors.toUnmodifiableSet());

  private static final Set<String> ITEMS = Set.of("Items");
  private static final Set<String> RESULTS = Set.of("Results");

  private AuditEvents() {}

  /** Who called, from where, with what. Null fields are left out. */
  public record Call(
      Instant time,
      String requestId,
      String operation,
      String principalArn,
      String accessKeyId,
      String sourceAddress,
      String userAgent,
      String region) {}

  /**
   * One call's event.
   *
   * @param request the request body (JSON), or null if it was not read
   * @param response the response body (JSON) of a success, or null
   * @param errorCode the error code of a refused or failed call, or null
   */
  public static ObjectNode api(Call call, byte[] request, byte[] response, String errorCode) {
    return api(call, request, response, errorCode, List.of());
  }

  /**
   * One call's event, with the grants that allowed it.
   *
   * @param grantIds the IDs of the grants that allowed the call where the key policy alone did not
   *     (see WireResponse#grantIds)
   */
  public static ObjectNode api(
      Call call, byte[] request, byte[] response, String errorCode, List<String> grantIds) {
    ObjectNode e = AuditTrail.JSON.createObjectNode();
    e.put("eventTime", EventTimes.format(call.time()));
    e.put("eventSource", "kms");
    putIfPresent(e, "requestID", call.requestId());
    putIfPresent(e, "eventName", call.operation());
    putIfPresent(e, "principalArn", call.principalArn());
    putIfPresent(e, "accessKeyId", call.accessKeyId());
    putIfPresent(e, "sourceIPAddress", call.sourceAddress());
    putIfPresent(e, "userAgent", call.userAgent());
    putIfPresent(e, "awsRegion", call.region());
    JsonNode req = parse(request, REQUEST_FIELDS, ITEMS);
    Set<String> keys = new TreeSet<>();
    if (req != null && req.isObject()) {
      ObjectNode params = allowed(req);
      JsonNode items = req.get("Items");
      if (items != null && items.isArray()) {
        ArrayNode out = params.putArray("Items");
        for (JsonNode item : items) {
          if (item.isObject()) {
            out.add(allowed(item));
          }
        }
      }
      if (!params.isEmpty()) {
        e.set("requestParameters", params);
      }
    }
    JsonNode resp = parse(response, RESPONSE_FIELDS, RESULTS);
    Set<String> materials = new TreeSet<>();
    if (resp != null) {
      collect(resp, keys, materials);
    }
    if (req != null) {
      collectKeyIds(req, keys);
    }
    if (!keys.isEmpty()) {
      ArrayNode a = e.putArray("resources");
      keys.forEach(a::add);
    }
    if (!materials.isEmpty() || !grantIds.isEmpty()) {
      ObjectNode more = e.putObject("additionalEventData");
      if (!materials.isEmpty()) {
        ArrayNode a = more.putArray("keyMaterialIds");
        materials.forEach(a::add);
      }
      if (!grantIds.isEmpty()) {
        ArrayNode a = more.putArray("grantIds");
        grantIds.forEach(a::add);
      }
    }
    putIfPresent(e, "errorCode", errorCode);
    return e;
  }

  private static ObjectNode allowed(JsonNode req) {
    ObjectNode params = AuditTrail.JSON.createObjectNode();
    for (Iterator<Map.Entry<String, JsonNode>> it = req.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      if (REQUEST_FIELDS.contains(f.getKey())) {
        params.set(f.getKey(), f.getValue());
      }
    }
    return params;
  }

  /** Key ARNs (those the request names as ARNs) in the request, items included. */
  private static void collectKeyIds(JsonNode n, Set<String> keys) {
    if (n.isArray()) {
      n.forEach(c -> collectKeyIds(c, keys));
      return;
    }
    if (!n.isObject()) {
      return;
    }
    for (String f : new String[] {"KeyId", "SourceKeyId", "DestinationKeyId", "TargetKeyId"}) {
      JsonNode v = n.get(f);
      if (v != null && v.isTextual() && v.asText().startsWith("arn:")) {
        keys.add(v.asText());
      }
    }
    JsonNode items = n.get("Items");
    if (items != null) {
      collectKeyIds(items, keys);
    }
  }

  /** Key ARNs and key material IDs the response names (batch results included). */
  private static void collect(JsonNode n, Set<String> keys, Set<String> materials) {
    if (n.isArray()) {
      n.forEach(c -> collect(c, keys, materials));
      return;
    }
    if (!n.isObject()) {
      return;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      JsonNode v = f.getValue();
      if (v.isTextual() && KEY_FIELDS.contains(f.getKey())) {
        keys.add(v.asText());
      } else if (v.isTextual() && MATERIAL_FIELDS.contains(f.getKey())) {
        materials.add(v.asText());
      } else if (f.getKey().equals("Results") || f.getKey().equals("KeyMetadata")) {
        if (f.getKey().equals("KeyMetadata") && v.path("Arn").isTextual()) {
          keys.add(v.path("Arn").asText());
        } else {
          collect(v, keys, materials);
        }
      }
    }
  }

  /**
   * The body's JSON with only what an event reads: in every object, the fields in {@code keep}
   * whole and those in {@code descend} filtered the same way. The rest (ciphertext blobs,
   * plaintexts, a batch's every item's blob) is skipped by the parser without being decoded or
   * kept. Null if there is no body or it is not JSON (a malformed request is recorded without its
   * parameters).
   */
  private static JsonNode parse(byte[] body, Set<String> keep, Set<String> descend) {
    if (body == null || body.length == 0) {
      return null;
    }
    try (JsonParser p = AuditTrail.JSON.createParser(body)) {
      return p.nextToken() == null ? null : filtered(p, keep, descend);
    } catch (IOException e) {
      return null;
    }
  }

  /** The value at the parser's current token, filtered; leaves the parser on its last token. */
  private static JsonNode filtered(JsonParser p, Set<String> keep, Set<String> descend)
      throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.START_OBJECT) {
      ObjectNode o = AuditTrail.JSON.createObjectNode();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        p.nextToken();
        if (keep.contains(name)) {
          o.set(name, whole(p));
        } else if (descend.contains(name)) {
          o.set(name, filtered(p, keep, descend));
        } else {
          p.skipChildren();
        }
      }
      return o;
    }
    if (t == JsonToken.START_ARRAY) {
      ArrayNode a = AuditTrail.JSON.createArrayNode();
      while (p.nextToken() != JsonToken.END_ARRAY) {
        a.add(filtered(p, keep, descend));
      }
      return a;
    }
    return whole(p);
  }

  private static JsonNode whole(JsonParser p) throws IOException {
    JsonNode n = AuditTrail.JSON.readTree(p);
    return n == null ? NullNode.getInstance() : n;
  }

  private static void putIfPresent(ObjectNode e, String field, String value) {
    if (value != null) {
      e.put(field, value);
    }
  }
}
