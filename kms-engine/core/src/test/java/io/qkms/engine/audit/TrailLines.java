package io.qkms.engine.audit;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The lines of a trail's files, parsed, for tests. */
final class TrailLines {
  private TrailLines() {}

  /** Every line of the trail in {@code dir}, in order. */
  static List<JsonNode> of(Path dir) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    for (Path p : AuditFiles.list(dir)) {
      for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
        out.add(AuditTrail.JSON.readTree(line));
      }
    }
    return out;
  }
}
