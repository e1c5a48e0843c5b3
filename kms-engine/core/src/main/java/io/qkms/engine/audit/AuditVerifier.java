package io.qkms.engine.audit;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Checks a trail: every line follows the one before it (its {@code prev} is the previous line's
 * SHA-256 and its {@code seq} one more), every closed file matches its HMAC-signed digest, and the
 * last line is the one the (HMAC'd) head names. Reports the first problem, by file and line number.
 */
public final class AuditVerifier {
  private AuditVerifier() {}

  /** What verification found: {@code problem} null when the trail checks. */
  public record Result(int files, long lines, String problem) {
    public boolean ok() {
      return problem == null;
    }
  }

  /**
   * Verifies the files of days {@code from}..{@code to} (UTC, inclusive; null: unbounded). With a
   * {@code from}, the first file checked is trusted to follow what came before it.
   */
  public static Result verify(Path dir, byte[] key, LocalDate from, LocalDate to)
      throws IOException {
    Head head = null;
    Path headPath = dir.resolve(AuditTrail.HEAD);
    if (Files.exists(headPath)) {
      try (FileChannel c = FileChannel.open(headPath, StandardOpenOption.READ)) {
        head = Head.read(c, key);
      } catch (IOException e) {
        return new Result(0, 0, AuditTrail.HEAD + ": " + e.getMessage());
      }
    }
    List<Path> files = new ArrayList<>();
    for (Path p : AuditFiles.list(dir)) {
      LocalDate day = AuditFiles.day(p.getFileName().toString());
      if ((from == null || !day.isBefore(from)) && (to == null || !day.isAfter(to))) {
        files.add(p);
      }
    }
    if (files.isEmpty() && (from != null || to != null)) {
      return new Result(0, 0, null); // no file of those days: nothing to check, the caller says so
    }
    boolean trustStart = from != null;
    String lastHash = AuditTrail.ZERO_HASH;
    String beforeLastHash = null;
    long lastSeq = 0;
    String lastWhere = null;
    long lines = 0;
    for (Path p : files) {
      String name = p.getFileName().toString();
      byte[] bytes = Files.readAllBytes(p);
      if (bytes.length > 0 && bytes[bytes.length - 1] != '\n') {
        return new Result(files.size(), lines, name + ": ends in a partial line");
      }
      int start = 0;
      int lineNo = 0;
      for (int i = 0; i < bytes.length; i++) {
        if (bytes[i] != '\n') {
          continue;
        }
        byte[] line = Arrays.copyOfRange(bytes, start, i);
        start = i + 1;
        lineNo++;
        lines++;
        String where = name + ":" + lineNo;
        JsonNode n;
        try {
          n = AuditTrail.JSON.readTree(line);
        } catch (IOException e) {
          return new Result(files.size(), lines, where + ": changed (not a JSON line)");
        }
        long seq = n.path("seq").asLong(-1);
        String prev = n.path("prev").asText();
        if (trustStart) {
          trustStart = false;
        } else if (!prev.equals(lastHash)) {
          String problem;
          if (prev.equals(beforeLastHash)) {
            problem =
                where
                    + ": inserted (this line and "
                    + lastWhere
                    + " both follow the same line: one of them was inserted)";
          } else if (seq > lastSeq + 1) {
            problem =
                where
                    + ": "
                    + (seq - lastSeq - 1)
                    + " line(s) removed before this line (seq "
                    + seq
                    + " follows "
                    + lastSeq
                    + ")";
          } else if (lastWhere == null) {
            problem = where + ": changed (the trail's first line must follow nothing)";
          } else {
            problem = lastWhere + ": changed (the next line carries another hash of it)";
          }
          return new Result(files.size(), lines, problem);
        } else if (seq != lastSeq + 1) {
          return new Result(files.size(), lines, where + ": changed (seq " + seq + ")");
        }
        beforeLastHash = lastHash;
        lastHash = AuditFiles.sha256Hex(line);
        lastSeq = seq;
        lastWhere = where;
      }
      boolean current = head != null && name.equals(head.file());
      if (!current) {
        if (!Files.exists(dir.resolve(name + Digests.SUFFIX))) {
          return new Result(files.size(), lines, name + ": closed but has no digest file");
        }
        String problem = Digests.check(dir, name, bytes, key);
        if (problem != null) {
          return new Result(files.size(), lines, name + ": " + problem);
        }
      }
    }
    boolean reachesHead = to == null || files.isEmpty() || head == null;
    if (reachesHead && head != null && head.seq() > 0) {
      if (head.seq() != lastSeq || !head.hash().equals(lastHash)) {
        return new Result(
            files.size(),
            lines,
            (lastWhere == null ? "the trail" : lastWhere)
                + ": the trail's last line is not the one last written (seq "
                + head.seq()
                + "): lines removed at the end, or the last line changed");
      }
    }
    return new Result(files.size(), lines, null);
  }
}
