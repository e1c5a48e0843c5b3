package io.qkms.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qkms.engine.audit.AuditTrail;
import io.qkms.engine.audit.AuditVerifier;
import io.qkms.engine.store.file.FileKeyStore;
import io.qkms.engine.store.file.RootKeySource;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine.ParseResult;

/**
 * {@code qkms audit verify} (the trail's hash chain, digests and head, checked with the digest key
 * derived from the store's root key) and {@code qkms audit query} (the calls the trail records,
 * filtered by key, time and operation).
 */
final class AuditCommands {
  /** Exit status of {@code audit verify} when the trail is not intact (as {@code sha256sum -c}). */
  static final int NOT_INTACT = 1;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] KEY_PARAMETERS = {
    "KeyId", "SourceKeyId", "DestinationKeyId", "TargetKeyId"
  };

  private AuditCommands() {}

  static int verify(Invocation inv, ParseResult sub) {
    Instant fromTime = time(sub, "--from");
    Instant toTime = time(sub, "--to");
    LocalDate from = fromTime == null ? null : LocalDate.ofInstant(fromTime, ZoneOffset.UTC);
    LocalDate to = toTime == null ? null : LocalDate.ofInstant(toTime, ZoneOffset.UTC);
    if (from != null && to != null && from.isAfter(to)) {
      throw new UsageException("--from " + from + " is after --to " + to);
    }
    Path keystore = inv.keystore(sub);
    Path dir = auditDir(sub, keystore);
    // Files all gone while the signed head remains is tampering, for the verifier to report.
    List<Path> files = trailFiles(dir, Files.exists(dir.resolve("audit.head")));
    byte[] key;
    try (FileKeyStore store = openReadOnly(inv, sub, keystore)) {
      key = store.auditDigestKey();
    }
    AuditVerifier.Result result;
    try {
      result = AuditVerifier.verify(dir, key, from, to);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      Arrays.fill(key, (byte) 0);
    }
    String range =
        from == null && to == null
            ? ""
            : " (days " + (from == null ? "" : from) + ".." + (to == null ? "" : to) + " UTC)";
    if (!result.ok()) {
      inv.err.println("qkms: the audit trail in " + dir + " is not intact: " + result.problem());
      return NOT_INTACT;
    }
    if (result.files() == 0) {
      // The days asked for hold no file: nothing was verified, which must not read as "intact".
      throw new UsageException(
          "No audit file in " + dir + range + "; its files span " + span(files));
    }
    inv.out.println(
        "Verified "
            + result.files()
            + " file(s), "
            + result.lines()
            + " line(s) in "
            + dir
            + range
            + ": chain, digests and head intact.");
    return Qkms.OK;
  }

  static int query(Invocation inv, ParseResult sub) {
    Instant since = time(sub, "--since");
    String key = Invocation.value(sub, "--key", null);
    if (key != null && key.isBlank()) {
      throw new UsageException("Invalid value for --key: a key ID, key ARN, alias or alias ARN");
    }
    String operation = Invocation.value(sub, "--operation", null);
    if (operation != null && CommandTable.byCommand(CommandTable.commandName(operation)) == null) {
      throw new UsageException(
          "Invalid value for --operation: '"
              + operation
              + "' (an API operation name, such as ReEncrypt or CreateKey)");
    }
    boolean json = sub.hasMatchedOption("--json");
    Path dir = auditDir(sub, inv.keystore(sub));
    List<String[]> rows = new ArrayList<>();
    for (Path file : trailFiles(dir, false)) {
      try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        int lineNo = 0;
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          lineNo++;
          JsonNode e;
          try {
            e = JSON.readTree(line);
          } catch (IOException ex) {
            e = null;
          }
          if (e == null || !e.isObject()) {
            inv.err.println(
                "qkms: warning: "
                    + file.getFileName()
                    + ":"
                    + lineNo
                    + " is not a JSON line, skipped (run qkms audit verify)");
            continue;
          }
          if (!matches(e, since, key, operation)) {
            continue;
          }
          if (json) {
            inv.out.println(line);
          } else {
            rows.add(row(e));
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    if (!json) {
      printTable(inv, rows);
    }
    return Qkms.OK;
  }

  private static boolean matches(JsonNode e, Instant since, String key, String operation) {
    if (operation != null && !operation.equals(e.path("eventName").asText())) {
      return false;
    }
    if (since != null) {
      try {
        if (Instant.parse(e.path("eventTime").asText()).isBefore(since)) {
          return false;
        }
      } catch (DateTimeParseException ex) {
        return false;
      }
    }
    return key == null || namesKey(e, key);
  }

  /**
   * Whether the event involves {@code key}: one of its resources (key ARNs) is it, or is the ARN of
   * a key ID or alias given; or the request named it (a refused call may have no resources).
   */
  private static boolean namesKey(JsonNode e, String key) {
    List<String> names = new ArrayList<>();
    e.path("resources").forEach(r -> names.add(r.asText()));
    JsonNode params = e.path("requestParameters");
    for (String p : KEY_PARAMETERS) {
      if (params.path(p).isTextual()) {
        names.add(params.path(p).asText());
      }
    }
    for (String n : names) {
      if (n.equals(key) || n.endsWith(":key/" + key) || n.endsWith(":" + key)) {
        return true;
      }
    }
    return false;
  }

  private static String[] row(JsonNode e) {
    List<String> keys = new ArrayList<>();
    e.path("resources").forEach(r -> keys.add(r.asText()));
    return new String[] {
      e.path("eventTime").asText("-"),
      e.path("eventName").asText("-"),
      e.path("principalArn").asText("-"),
      keys.isEmpty() ? "-" : String.join(",", keys),
      e.path("errorCode").asText("-")
    };
  }

  private static void printTable(Invocation inv, List<String[]> rows) {
    String[] header = {"TIME", "OPERATION", "PRINCIPAL", "KEY", "ERROR"};
    int[] width = new int[header.length];
    List<String[]> all = new ArrayList<>();
    all.add(header);
    all.addAll(rows);
    for (String[] r : all) {
      for (int i = 0; i < r.length; i++) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    for (String[] r : all) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < r.length; i++) {
        b.append(r[i]);
        if (i < r.length - 1) {
          b.append(" ".repeat(width[i] - r[i].length() + 2));
        }
      }
      inv.out.println(b);
    }
  }

  /** An ISO instant, or a date (its first instant, UTC); null if the option is not given. */
  private static Instant time(ParseResult sub, String option) {
    String text = Invocation.value(sub, option, null);
    if (text == null) {
      return null;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      try {
        return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
      } catch (DateTimeParseException e2) {
        throw new UsageException(
            "Invalid value for "
                + option
                + ": '"
                + text
                + "' (an ISO instant such as 2026-12-06T16:00:00Z, or a date such as 2026-12-06)");
      }
    }
  }

  private static Path auditDir(ParseResult sub, Path keystore) {
    String d = Invocation.value(sub, "--audit-dir", null);
    Path dir = d != null ? Path.of(d) : keystore.resolve("audit");
    if (!Files.isDirectory(dir)) {
      throw new UsageException(
          "No audit trail directory "
              + dir
              + (d == null ? " (the default, DIR/audit; --audit-dir names another)" : ""));
    }
    return dir;
  }

  private static List<Path> trailFiles(Path dir, boolean mayBeEmpty) {
    List<Path> files;
    try {
      files = AuditTrail.files(dir);
    } catch (IOException e) {
      throw new CommandFailedException("Cannot list the audit directory " + dir + ": " + e, e);
    }
    if (files.isEmpty() && !mayBeEmpty) {
      throw new UsageException("No audit trail in " + dir + " (no audit-*.jsonl files)");
    }
    return files;
  }

  private static String span(List<Path> files) {
    if (files.isEmpty()) {
      return "nothing";
    }
    String first = files.get(0).getFileName().toString();
    String last = files.get(files.size() - 1).getFileName().toString();
    return first.equals(last) ? first : first + " .. " + last;
  }

  private static FileKeyStore openReadOnly(Invocation inv, ParseResult sub, Path dir) {
    RootKeySource source = inv.rootKeySource(sub, dir);
    try {
      inv.checkKeyFileAccess(sub, dir, source);
      return FileKeyStore.open(dir, source, FileKeyStore.Mode.READ_ONLY);
    } finally {
      Invocation.wipe(source);
    }
  }
}
