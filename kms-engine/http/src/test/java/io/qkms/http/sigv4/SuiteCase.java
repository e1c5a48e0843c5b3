package io.qkms.http.sigv4;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qkms.engine.api.Principal;
import io.qkms.engine.keys.AccountId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One case of the AWS SigV4 test suite (test resources {@code aws-sigv4-test-suite/v4}): its
 * context and its header-signed request, parsed from the suite's raw HTTP text.
 */
record SuiteCase(
    String name,
    JsonNode context,
    String method,
    String path,
    String query,
    List<String[]> headers,
    byte[] body,
    String canonicalRequest) {

  private static final ObjectMapper JSON = new ObjectMapper();

  static Stream<String> names() throws IOException {
    return SigV4Suite.names();
  }

  static SuiteCase load(String name) {
    Path dir = SigV4Suite.root().resolve(name);
    try {
      JsonNode context = JSON.readTree(dir.resolve("context.json").toFile());
      String raw =
          Files.readString(dir.resolve("header-signed-request.txt"), StandardCharsets.UTF_8);
      String canonical =
          Files.readString(dir.resolve("header-canonical-request.txt"), StandardCharsets.UTF_8);
      SigV4Suite.Request request = SigV4Suite.parse(raw);
      List<String[]> headers = new ArrayList<>();
      for (String[] h : request.headers()) {
        // A folded value reaches the verifier as a server reads it: the lines joined by spaces.
        String[] lines = h[1].split("\n");
        StringBuilder value = new StringBuilder(lines[0]);
        for (int i = 1; i < lines.length; i++) {
          value.append(' ').append(lines[i].strip());
        }
        headers.add(new String[] {h[0], value.toString()});
      }
      return new SuiteCase(
          name,
          context,
          request.method(),
          request.path(),
          request.query(),
          headers,
          request.body().getBytes(StandardCharsets.UTF_8),
          canonical);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String accessKeyId() {
    return context.get("credentials").get("access_key_id").asText();
  }

  byte[] secret() {
    return context
        .get("credentials")
        .get("secret_access_key")
        .asText()
        .getBytes(StandardCharsets.UTF_8);
  }

  String region() {
    return context.get("region").asText();
  }

  String service() {
    return context.get("service").asText();
  }

  Clock clock() {
    return Clock.fixed(Instant.parse(context.get("timestamp").asText()), ZoneOffset.UTC);
  }

  boolean normalize() {
    return context.get("normalize").asBoolean();
  }

  /** A verifier as the case's context describes it. */
  SigV4Verifier verifier() {
    SigningCredential credential =
        new SigningCredential(
            accessKeyId(), Principal.root(AccountId.of("111122223333")), secret());
    return SigV4Verifier.builder()
        .service(service())
        .regions(region()::equals)
        .clock(clock())
        .normalizePath(normalize())
        .acceptSessionTokens(true)
        .credentials(id -> id.equals(accessKeyId()) ? credential : null)
        .build();
  }

  /** The request as it was signed. */
  SignableRequest request() {
    return request(headers);
  }

  /** The request with {@code name}'s (first) value replaced. */
  SignableRequest withHeader(String name, String value) {
    List<String[]> h = new ArrayList<>();
    boolean done = false;
    for (String[] x : headers) {
      if (!done && x[0].equalsIgnoreCase(name)) {
        h.add(new String[] {x[0], value});
        done = true;
      } else {
        h.add(new String[] {x[0], x[1]});
      }
    }
    return request(h);
  }

  /** The (first) value of a header, or null. */
  String header(String name) {
    for (String[] x : headers) {
      if (x[0].equalsIgnoreCase(name)) {
        return x[1];
      }
    }
    return null;
  }

  private SignableRequest request(List<String[]> h) {
    Map<String, List<String>> byName = new LinkedHashMap<>();
    for (String[] x : h) {
      byName.computeIfAbsent(x[0].toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(x[1]);
    }
    return new SignableRequest() {
      @Override
      public String method() {
        return method;
      }

      @Override
      public String rawPath() {
        return path;
      }

      @Override
      public String rawQuery() {
        return query;
      }

      @Override
      public List<String> headerValues(String lowerCaseName) {
        return byName.getOrDefault(lowerCaseName, List.of());
      }
    };
  }

  @Override
  public String toString() {
    return name;
  }
}
