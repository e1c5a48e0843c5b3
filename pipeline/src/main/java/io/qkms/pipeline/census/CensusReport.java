package io.qkms.pipeline.census;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A census's result: per key and material, how many blobs reference it (in total and per field),
 * with each material's creation time and whether it is current when a key store was given, and a
 * verdict ("still referenced by N blobs" or "no references in this data"); which keys and materials
 * can be retired as far as the data read goes (a key no blob names; a material no blob names that
 * is not its key's current one); the values that are no blob, by field and reason. {@link
 * #toJson()} is {@code census.json}; {@link #table()} what the command prints.
 */
public final class CensusReport {
  public static final String FILE = "census.json";

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** One material of one key as the census saw it. */
  public record MaterialRow(
      String keyMaterialId,
      String created, // null: not known
      Boolean current, // null: not known
      long blobs,
      Map<String, Long> byField) {
    public String verdict() {
      return CensusReport.verdict(blobs);
    }

    /**
     * Whether this material can be retired as far as the data read goes: no blob names it and the
     * key store says it is not its key's current material (new ciphertexts name that one).
     */
    public boolean retirable() {
      return blobs == 0 && Boolean.FALSE.equals(current);
    }
  }

  /** One key as the census saw it; {@code inKeyStore} null when no key store was read. */
  public record KeyRow(
      String keyId,
      String keyArn,
      List<String> aliases,
      String state,
      Boolean inKeyStore,
      long blobs,
      List<MaterialRow> materials) {
    public String verdict() {
      return CensusReport.verdict(blobs);
    }

    /**
     * Whether this key can be retired as far as the data read goes: it is in the key store and no
     * blob names it (it can be disabled, then scheduled for deletion).
     */
    public boolean retirable() {
      return blobs == 0 && Boolean.TRUE.equals(inKeyStore);
    }
  }

  private final CensusCounts counts;
  private final List<String> fields;
  private final List<KeyRow> keys;
  private final String note;
  private final Duration elapsed;
  private final Duration processing;
  private final Map<String, String> run;

  private CensusReport(
      CensusCounts counts,
      List<String> fields,
      List<KeyRow> keys,
      String note,
      Duration elapsed,
      Duration processing,
      Map<String, String> run) {
    this.counts = counts;
    this.fields = fields;
    this.keys = keys;
    this.note = note;
    this.elapsed = elapsed;
    this.processing = processing;
    this.run = run;
  }

  /**
   * @param catalog the key store's keys, or null when none was read (then {@code note} says why,
   *     and only materials that blobs reference are listed)
   * @param elapsed from the pipeline's start (the runner's start-up included) to the counts read
   * @param processing from the first record counted to the counts read, or null when not known
   */
  public static CensusReport of(
      CensusCounts counts,
      List<String> fields,
      KeyCatalog catalog,
      String note,
      Duration elapsed,
      Duration processing,
      Map<String, String> run) {
    // key ID -> material -> field -> blobs
    Map<String, Map<String, Map<String, Long>>> seen = new TreeMap<>();
    counts
        .blobs()
        .forEach(
            (field, byKey) ->
                byKey.forEach(
                    (keyId, byMaterial) ->
                        byMaterial.forEach(
                            (material, n) ->
                                seen.computeIfAbsent(keyId, k -> new LinkedHashMap<>())
                                    .computeIfAbsent(material, m -> new TreeMap<>())
                                    .merge(field, n, Long::sum))));
    List<KeyRow> keys = new ArrayList<>();
    Map<String, KeyCatalog.Key> known = catalog == null ? Map.of() : catalog.keys();
    List<String> keyIds = new ArrayList<>(known.keySet());
    for (String k : seen.keySet()) {
      if (!keyIds.contains(k)) {
        keyIds.add(k);
      }
    }
    for (String keyId : keyIds) {
      KeyCatalog.Key key = known.get(keyId);
      Map<String, Map<String, Long>> byMaterial = seen.getOrDefault(keyId, Map.of());
      List<MaterialRow> materials = new ArrayList<>();
      List<String> listed = new ArrayList<>();
      if (key != null) {
        for (KeyCatalog.Material m : key.materials()) {
          listed.add(m.id());
          materials.add(
              row(
                  m.id(),
                  m.created() == null ? null : m.created().toString(),
                  m.current(),
                  byMaterial.get(m.id())));
        }
      }
      for (Map.Entry<String, Map<String, Long>> e : byMaterial.entrySet()) {
        if (!listed.contains(e.getKey())) {
          materials.add(row(e.getKey(), null, null, e.getValue()));
        }
      }
      long blobs = materials.stream().mapToLong(MaterialRow::blobs).sum();
      keys.add(
          new KeyRow(
              keyId,
              key == null ? null : key.arn(),
              key == null ? List.of() : key.aliases(),
              key == null ? null : key.state(),
              catalog == null ? null : key != null,
              blobs,
              materials));
    }
    return new CensusReport(counts, List.copyOf(fields), keys, note, elapsed, processing, run);
  }

  private static MaterialRow row(
      String id, String created, Boolean current, Map<String, Long> byField) {
    Map<String, Long> f = byField == null ? Map.of() : byField;
    return new MaterialRow(
        id, created, current, f.values().stream().mapToLong(Long::longValue).sum(), f);
  }

  static String verdict(long blobs) {
    return blobs == 0
        ? "no references in this data"
        : String.format(
            Locale.ROOT, "still referenced by %,d blob%s", blobs, blobs == 1 ? "" : "s");
  }

  public List<KeyRow> keys() {
    return keys;
  }

  public CensusCounts counts() {
    return counts;
  }

  /** Blobs that named a key, over every field. */
  public long blobs() {
    return keys.stream().mapToLong(KeyRow::blobs).sum();
  }

  /** Values that named no key, by reason, over every field. */
  public Map<String, Long> notParsed() {
    Map<String, Long> total = new TreeMap<>();
    counts.notParsed().values().forEach(m -> m.forEach((r, n) -> total.merge(r, n, Long::sum)));
    return total;
  }

  public double recordsPerSecond() {
    double s = elapsed.toNanos() / 1e9;
    return s <= 0 ? 0 : counts.records() / s;
  }

  /** Records per second from the first record counted to the end (start-up excluded), or 0. */
  public double processingRecordsPerSecond() {
    double s = processing == null ? 0 : processing.toNanos() / 1e9;
    return s <= 0 ? 0 : counts.records() / s;
  }

  /** {@code census.json}. */
  public String toJson() {
    ObjectNode n = JSON.createObjectNode();
    n.put("status", "SUCCEEDED");
    ObjectNode r = n.putObject("run");
    run.forEach(r::put);
    n.put("elapsedSeconds", Math.round(elapsed.toNanos() / 1e6) / 1000.0);
    n.put("recordsPerSecond", Math.round(recordsPerSecond() * 10) / 10.0);
    if (processing != null) {
      n.put("processingSeconds", Math.round(processing.toNanos() / 1e6) / 1000.0);
      n.put("processingRecordsPerSecond", Math.round(processingRecordsPerSecond() * 10) / 10.0);
    }
    n.put("records", counts.records());
    n.put("blobs", blobs());
    ObjectNode np = n.putObject("notParsed");
    notParsed().forEach(np::put);
    if (note != null) {
      n.put("note", note);
    }
    ArrayNode fa = n.putArray("fields");
    for (String field : fields) {
      ObjectNode f = fa.addObject();
      f.put("path", field);
      long blobs = 0;
      ArrayNode ms = f.putArray("materials");
      for (KeyRow k : keys) {
        for (MaterialRow m : k.materials()) {
          Long c = m.byField().get(field);
          if (c != null && c > 0) {
            blobs += c;
            ms.addObject()
                .put("keyId", k.keyId())
                .put("keyArn", k.keyArn())
                .put("keyMaterialId", m.keyMaterialId())
                .put("blobs", c);
          }
        }
      }
      f.put("blobs", blobs);
      ObjectNode fnp = f.putObject("notParsed");
      counts.notParsed().getOrDefault(field, new TreeMap<>()).forEach(fnp::put);
    }
    ArrayNode ka = n.putArray("keys");
    for (KeyRow k : keys) {
      ObjectNode o = ka.addObject();
      o.put("keyId", k.keyId());
      o.put("keyArn", k.keyArn());
      ArrayNode aliases = o.putArray("aliases");
      k.aliases().forEach(aliases::add);
      o.put("state", k.state());
      if (k.inKeyStore() == null) {
        o.putNull("inKeyStore");
      } else {
        o.put("inKeyStore", k.inKeyStore());
      }
      o.put("blobs", k.blobs());
      o.put("verdict", k.verdict());
      o.put("retirable", k.retirable());
      ArrayNode ma = o.putArray("materials");
      for (MaterialRow m : k.materials()) {
        ObjectNode mo = ma.addObject();
        mo.put("keyMaterialId", m.keyMaterialId());
        mo.put("created", m.created());
        if (m.current() == null) {
          mo.putNull("current");
        } else {
          mo.put("current", m.current());
        }
        mo.put("blobs", m.blobs());
        ObjectNode bf = mo.putObject("byField");
        m.byField().forEach(bf::put);
        mo.put("verdict", m.verdict());
        mo.put("retirable", m.retirable());
      }
    }
    ObjectNode ret = n.putObject("retirement");
    ret.put("scope", retirementScope());
    ArrayNode rk = ret.putArray("keys");
    ArrayNode rm = ret.putArray("materials");
    for (KeyRow k : keys) {
      if (k.retirable()) {
        rk.add(k.keyArn());
      }
      for (MaterialRow m : k.materials()) {
        if (!k.retirable() && m.retirable()) {
          rm.addObject().put("keyArn", k.keyArn()).put("keyMaterialId", m.keyMaterialId());
        }
      }
    }
    try {
      return JSON.writeValueAsString(n) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The table the command prints, then the verdicts. */
  public String table() {
    StringBuilder s = new StringBuilder();
    s.append(
        String.format(
            Locale.ROOT,
            "QKMS census: %,d records, %,d blobs in %d field%s, %.1f s (%,.0f records/s)%n",
            counts.records(),
            blobs(),
            fields.size(),
            fields.size() == 1 ? "" : "s",
            elapsed.toNanos() / 1e9,
            recordsPerSecond()));
    if (note != null) {
      s.append("  note: ").append(note).append('\n');
    }
    StringBuilder header = new StringBuilder();
    header.append(
        String.format(
            Locale.ROOT,
            "  %-66s %-20s %-7s %12s",
            "key / material",
            "created",
            "current",
            "blobs"));
    if (fields.size() > 1) {
      fields.forEach(f -> header.append(String.format(Locale.ROOT, " %12s", f)));
    }
    s.append(header).append('\n');
    for (KeyRow k : keys) {
      String name =
          k.keyId()
              + (k.aliases().isEmpty() ? "" : " " + String.join(",", k.aliases()))
              + (k.state() == null ? "" : " " + k.state())
              + (Boolean.FALSE.equals(k.inKeyStore()) ? " (not in the key store)" : "");
      s.append(String.format(Locale.ROOT, "  %-66s %-20s %-7s %,12d", name, "", "", k.blobs()));
      if (fields.size() > 1) {
        for (String f : fields) {
          long n = k.materials().stream().mapToLong(m -> m.byField().getOrDefault(f, 0L)).sum();
          s.append(String.format(Locale.ROOT, " %,12d", n));
        }
      }
      s.append('\n');
      for (MaterialRow m : k.materials()) {
        s.append(
            String.format(
                Locale.ROOT,
                "    %-64s %-20s %-7s %,12d",
                m.keyMaterialId(),
                m.created() == null
                    ? "?"
                    : m.created().length() > 20 ? m.created().substring(0, 19) + "Z" : m.created(),
                m.current() == null ? "?" : m.current() ? "yes" : "no",
                m.blobs()));
        if (fields.size() > 1) {
          for (String f : fields) {
            s.append(String.format(Locale.ROOT, " %,12d", m.byField().getOrDefault(f, 0L)));
          }
        }
        s.append('\n');
      }
    }
    for (String f : fields) {
      Map<String, Long> np = counts.notParsed().get(f);
      if (np != null && !np.isEmpty()) {
        StringBuilder reasons = new StringBuilder();
        np.forEach(
            (reason, n) ->
                reasons
                    .append(reasons.length() == 0 ? "" : ", ")
                    .append(reason)
                    .append(' ')
                    .append(String.format(Locale.ROOT, "%,d", n)));
        s.append("  not parsed in ").append(f).append(": ").append(reasons).append('\n');
      }
    }
    s.append("verdicts:\n");
    for (KeyRow k : keys) {
      s.append("  key ")
          .append(k.keyArn() != null ? k.keyArn() : k.keyId())
          .append(": ")
          .append(k.verdict())
          .append('\n');
      for (MaterialRow m : k.materials()) {
        s.append("    material ")
            .append(m.keyMaterialId())
            .append(Boolean.TRUE.equals(m.current()) ? " (current)" : "")
            .append(": ")
            .append(m.verdict())
            .append('\n');
      }
    }
    s.append("retirement (").append(retirementScope()).append("):\n");
    int retirable = 0;
    for (KeyRow k : keys) {
      if (k.retirable()) {
        retirable++;
        s.append("  key ")
            .append(k.keyArn())
            .append(": can be retired (disabled, then scheduled for deletion): no blob names it\n");
        continue;
      }
      for (MaterialRow m : k.materials()) {
        if (m.retirable()) {
          retirable++;
          s.append("  material ")
              .append(m.keyMaterialId())
              .append(" of key ")
              .append(k.keyArn())
              .append(": can be retired: not current and no blob names it\n");
        }
      }
    }
    if (retirable == 0) {
      s.append(
          keys.stream().allMatch(k -> k.inKeyStore() == null)
              ? "  not judged: without a key store the census cannot tell current materials and"
                  + " unreferenced keys\n"
              : "  nothing: every key and material is referenced or current\n");
    }
    return s.toString();
  }

  /**
   * What a retirement verdict covers: the data read, and whether some values in it were not
   * ciphertexts the census could read (those are not counted as references).
   */
  String retirementScope() {
    long unread =
        notParsed().entrySet().stream()
            .filter(e -> !e.getKey().equals(CensusCounts.NULL))
            .mapToLong(Map.Entry::getValue)
            .sum();
    String scope =
        String.format(
            Locale.ROOT,
            "over the %,d records read; data not read here may still name these",
            counts.records());
    return unread == 0
        ? scope
        : scope
            + String.format(
                Locale.ROOT,
                "; %,d value%s could not be read as QKMS ciphertexts and %s not counted",
                unread,
                unread == 1 ? "" : "s",
                unread == 1 ? "is" : "are");
  }
}
