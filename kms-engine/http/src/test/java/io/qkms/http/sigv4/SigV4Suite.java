package io.qkms.http.sigv4;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The AWS SigV4 test suite (test resources {@code aws-sigv4-test-suite/v4}): its cases, and its raw
 * HTTP requests parsed, for the server's verifier and the console's signer alike.
 */
public final class SigV4Suite {
  private SigV4Suite() {}

  /**
   * A suite request: its headers' [name, value] pairs in order, where an obsolete folded line
   * continues the value after a line break, as written (a signer must collapse it).
   */
  public record Request(
      String method, String path, String query, List<String[]> headers, String body) {}

  /** The suite's directory, one subdirectory per case. */
  public static Path root() {
    try {
      return Path.of(SigV4Suite.class.getResource("/aws-sigv4-test-suite/v4").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The cases' names, sorted. */
  public static Stream<String> names() throws IOException {
    try (Stream<Path> dirs = Files.list(root())) {
      return dirs.map(p -> p.getFileName().toString()).sorted().toList().stream();
    }
  }

  /** Parses a suite request (query null where there is none). */
  public static Request parse(String raw) {
    int blank = raw.indexOf("\n\n");
    String head = blank < 0 ? raw : raw.substring(0, blank);
    String body = blank < 0 ? "" : raw.substring(blank + 2);
    String[] lines = head.split("\n");
    String requestLine = lines[0];
    String method = requestLine.substring(0, requestLine.indexOf(' '));
    String target =
        requestLine.substring(requestLine.indexOf(' ') + 1, requestLine.lastIndexOf(" HTTP/"));
    int q = target.indexOf('?');
    List<String[]> headers = new ArrayList<>();
    for (int i = 1; i < lines.length; i++) {
      String line = lines[i];
      if (line.isEmpty()) {
        continue;
      }
      if (Character.isWhitespace(line.charAt(0))) {
        String[] last = headers.get(headers.size() - 1);
        last[1] = last[1] + "\n" + line;
        continue;
      }
      int colon = line.indexOf(':');
      headers.add(new String[] {line.substring(0, colon), line.substring(colon + 1)});
    }
    return new Request(
        method,
        q < 0 ? target : target.substring(0, q),
        q < 0 ? null : target.substring(q + 1),
        headers,
        body);
  }
}
