package io.qkms.engine.store.file;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qkms.engine.internal.auth.KeyPolicy;
import io.qkms.engine.internal.store.AccessKeyRecord;
import io.qkms.engine.internal.store.AliasRecord;
import io.qkms.engine.internal.store.GrantRecord;
import io.qkms.engine.internal.store.KeyRecord;
import io.qkms.engine.internal.store.MaterialRecord;
import io.qkms.engine.internal.store.RegionState;
import io.qkms.engine.internal.store.StoreState;
import io.qkms.engine.keys.AccountId;
import io.qkms.engine.keys.AliasName;
import io.qkms.engine.keys.KeyId;
import io.qkms.engine.keys.KeySpec;
import io.qkms.engine.keys.KeyState;
import io.qkms.engine.keys.KeyUsage;
import io.qkms.engine.keys.MaterialId;
import io.qkms.engine.keys.Origin;
import io.qkms.engine.keys.Region;
import io.qkms.engine.keys.RotationType;
import io.qkms.engine.wire.Timestamps;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON form of a {@link StoreState} inside the encrypted store file. Kept apart from the domain
 * classes so the file format changes only on purpose. Key material appears only wrapped; the
 * default key policy is stored as absent (most keys have it, and it is 250 bytes each).
 */
final class StateCodec {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Base64.Encoder B64 = Base64.getEncoder();
  private static final Base64.Decoder B64D = Base64.getDecoder();

  private StateCodec() {}

  static byte[] encode(StoreState s) {
    ObjectNode root = JSON.createObjectNode();
    root.put("account", s.account().value());
    ArrayNode regions = root.putArray("regions");
    s.regions().forEach(r -> regions.add(r.name()));
    root.put("revision", s.revision());
    String defaultPolicy = KeyPolicy.defaultPolicyJson(s.account());
    ObjectNode keys = root.putObject("keys");
    ObjectNode aliases = root.putObject("aliases");
    for (Region r : s.regions()) {
      ArrayNode k = keys.putArray(r.name());
      for (KeyRecord key : s.region(r).keys()) {
        k.add(key(key, defaultPolicy));
      }
      ArrayNode a = aliases.putArray(r.name());
      for (AliasRecord alias : s.region(r).aliases()) {
        ObjectNode n = a.addObject();
        n.put("name", alias.name().value());
        n.put("target", alias.targetKeyId().value());
        n.put("created", alias.creationDate().toString());
        n.put("updated", alias.lastUpdatedDate().toString());
      }
    }
    if (!s.accessKeys().isEmpty()) {
      ArrayNode a = root.putArray("accessKeys");
      for (AccessKeyRecord k : s.accessKeys()) {
        ObjectNode n = a.addObject();
        n.put("id", k.accessKeyId());
        n.put("principal", k.principalArn());
        n.put("wrapped", B64.encodeToString(k.wrappedSecret()));
        n.put("created", k.createDate().toString());
      }
    }
    try {
      return JSON.writeValueAsBytes(root);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ObjectNode key(KeyRecord k, String defaultPolicy) {
    ObjectNode n = JSON.createObjectNode();
    n.put("id", k.keyId().value());
    n.put("description", k.description());
    n.put("spec", k.keySpec().name());
    n.put("usage", k.keyUsage().name());
    n.put("origin", k.origin().name());
    n.put("state", k.state().name());
    n.put("created", k.creationDate().toString());
    putInstant(n, "deletionDate", k.deletionDate());
    if (k.pendingDeletionWindowInDays() != null) {
      n.put("pendingWindowDays", k.pendingDeletionWindowInDays());
    }
    n.put("multiRegion", k.multiRegionRole().name());
    if (k.primaryRegion() != null) {
      n.put("primaryRegion", k.primaryRegion().name());
    }
    ArrayNode materials = n.putArray("materials");
    for (MaterialRecord m : k.materials()) {
      ObjectNode mn = materials.addObject();
      mn.put("id", m.id().hex());
      mn.put("created", m.createdAt().toString());
      mn.put("type", m.rotationType().name());
      mn.put("wrapped", B64.encodeToString(m.wrappedSecret()));
      if (m.publicKey() != null) {
        mn.put("publicKey", B64.encodeToString(m.publicKey()));
      }
    }
    ObjectNode rot = n.putObject("rotation");
    rot.put("enabled", k.rotationEnabled());
    if (k.rotationPeriodInDays() != null) {
      rot.put("periodDays", k.rotationPeriodInDays());
    }
    putInstant(rot, "next", k.nextRotationDate());
    n.put("onDemandRotations", k.onDemandRotationCount());
    if (!k.policy().equals(defaultPolicy)) {
      n.put("policy", k.policy());
    }
    ArrayNode grants = n.putArray("grants");
    for (GrantRecord g : k.grants()) {
      ObjectNode gn = grants.addObject();
      gn.put("id", g.grantId());
      if (g.name() != null) {
        gn.put("name", g.name());
      }
      gn.put("grantee", g.granteePrincipal());
      if (g.retiringPrincipal() != null) {
        gn.put("retiring", g.retiringPrincipal());
      }
      ArrayNode ops = gn.putArray("operations");
      g.operations().forEach(ops::add);
      putMap(gn, "contextEquals", g.contextEquals());
      putMap(gn, "contextSubset", g.contextSubset());
      gn.put("created", g.creationDate().toString());
      gn.put("issuingAccount", g.issuingAccount());
    }
    return n;
  }

  static StoreState decode(byte[] json) throws IOException {
    JsonNode root = JSON.readTree(json);
    AccountId account = AccountId.of(text(root, "account"));
    List<Region> regions = new ArrayList<>();
    for (JsonNode r : root.get("regions")) {
      regions.add(Region.of(r.asText()));
    }
    String defaultPolicy = KeyPolicy.defaultPolicyJson(account);
    Map<Region, RegionState> byRegion = new LinkedHashMap<>();
    for (Region r : regions) {
      List<KeyRecord> keys = new ArrayList<>();
      for (JsonNode k : root.get("keys").get(r.name())) {
        keys.add(key(k, defaultPolicy));
      }
      List<AliasRecord> aliases = new ArrayList<>();
      for (JsonNode a : root.get("aliases").get(r.name())) {
        aliases.add(
            new AliasRecord(
                AliasName.parse(text(a, "name")),
                KeyId.parse(text(a, "target")),
                parseInstant(text(a, "created")),
                parseInstant(text(a, "updated"))));
      }
      byRegion.put(r, RegionState.of(keys, aliases));
    }
    List<AccessKeyRecord> accessKeys = new ArrayList<>();
    if (root.has("accessKeys")) { // absent in stores written before the HTTP endpoint
      for (JsonNode k : root.get("accessKeys")) {
        accessKeys.add(
            new AccessKeyRecord(
                text(k, "id"),
                text(k, "principal"),
                B64D.decode(text(k, "wrapped")),
                parseInstant(text(k, "created"))));
      }
    }
    return StoreState.of(account, regions, byRegion, accessKeys, root.get("revision").asLong());
  }

  private static KeyRecord key(JsonNode n, String defaultPolicy) {
    KeyRecord.Builder b =
        KeyRecord.builder()
            .keyId(KeyId.parse(text(n, "id")))
            .description(text(n, "description"))
            .keySpec(KeySpec.valueOf(text(n, "spec")))
            .keyUsage(KeyUsage.valueOf(text(n, "usage")))
            .origin(Origin.valueOf(text(n, "origin")))
            .state(KeyState.valueOf(text(n, "state")))
            .creationDate(parseInstant(text(n, "created")))
            .deletionDate(instant(n, "deletionDate"))
            .pendingDeletionWindowInDays(
                n.has("pendingWindowDays") ? n.get("pendingWindowDays").asInt() : null)
            .multiRegionRole(KeyRecord.MultiRegionRole.valueOf(text(n, "multiRegion")))
            .primaryRegion(n.has("primaryRegion") ? Region.of(text(n, "primaryRegion")) : null)
            .onDemandRotationCount(n.get("onDemandRotations").asInt())
            .policy(n.has("policy") ? text(n, "policy") : defaultPolicy);
    for (JsonNode m : n.get("materials")) {
      b.addMaterial(
          new MaterialRecord(
              MaterialId.parse(text(m, "id")),
              parseInstant(text(m, "created")),
              RotationType.valueOf(text(m, "type")),
              B64D.decode(text(m, "wrapped")),
              m.has("publicKey") ? B64D.decode(text(m, "publicKey")) : null));
    }
    JsonNode rot = n.get("rotation");
    b.rotationEnabled(rot.get("enabled").asBoolean())
        .rotationPeriodInDays(rot.has("periodDays") ? rot.get("periodDays").asInt() : null)
        .nextRotationDate(instant(rot, "next"));
    List<GrantRecord> grants = new ArrayList<>();
    for (JsonNode g : n.get("grants")) {
      List<String> ops = new ArrayList<>();
      g.get("operations").forEach(o -> ops.add(o.asText()));
      grants.add(
          new GrantRecord(
              text(g, "id"),
              g.has("name") ? text(g, "name") : null,
              text(g, "grantee"),
              g.has("retiring") ? text(g, "retiring") : null,
              ops,
              map(g, "contextEquals"),
              map(g, "contextSubset"),
              parseInstant(text(g, "created")),
              text(g, "issuingAccount")));
    }
    return b.grants(grants).build();
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual()) {
      throw new IllegalArgumentException("Missing or malformed field: " + field);
    }
    return v.asText();
  }

  private static void putInstant(ObjectNode n, String field, Instant v) {
    if (v != null) {
      n.put(field, v.toString());
    }
  }

  private static Instant instant(JsonNode n, String field) {
    return n.has(field) ? parseInstant(text(n, field)) : null;
  }

  /**
   * Reads what {@link Instant#toString()} wrote. The common shape, {@code 2026-01-01T00:00:00Z}
   * with or without a fraction, is read by hand: {@code Instant.parse} costs microseconds, and a
   * store of 10,000 keys holds 20,000 instants to read at every open. Anything else goes to {@code
   * Instant.parse}, which also rejects what is malformed.
   */
  static Instant parseInstant(String s) {
    int n = s.length();
    if (n >= 20
        && n <= 30
        && s.charAt(4) == '-'
        && s.charAt(7) == '-'
        && s.charAt(10) == 'T'
        && s.charAt(13) == ':'
        && s.charAt(16) == ':'
        && s.charAt(n - 1) == 'Z'
        && (n == 20 || s.charAt(19) == '.' && n > 21)) {
      long epochSecond = Timestamps.epochSecond(s, 0, 5, 8, 11, 14, 17);
      int nanos = 0;
      if (n > 20) {
        int fraction = Timestamps.digits(s, 20, n - 1);
        int places = n - 21;
        nanos = places <= 9 && fraction >= 0 ? fraction * POWERS_OF_TEN[9 - places] : -1;
      }
      if (epochSecond != Timestamps.INVALID && nanos >= 0) {
        return Instant.ofEpochSecond(epochSecond, nanos);
      }
    }
    // Other shapes, and errors (e.g. February 30): the careful way, which also names the problem.
    return Instant.parse(s);
  }

  private static final int[] POWERS_OF_TEN = {
    1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000
  };

  private static void putMap(ObjectNode n, String field, Map<String, String> m) {
    if (m != null) {
      ObjectNode o = n.putObject(field);
      m.forEach(o::put);
    }
  }

  private static Map<String, String> map(JsonNode n, String field) {
    if (!n.has(field)) {
      return null;
    }
    Map<String, String> m = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = n.get(field).fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      m.put(e.getKey(), e.getValue().asText());
    }
    return m;
  }
}
