package io.qkms.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, for what java.net.http hides: several requests on one connection, a
 * body sent in halves, exact header bytes.
 */
final class RawHttp {
  private RawHttp() {}

  record Response(int status, Map<String, String> headers, String body) {}

  /** A signed POST / as bytes, with Content-Length; the body is not included. */
  static byte[] signedHead(
      TestEndpoint e, String operation, byte[] body, Instant time, boolean keepAlive) {
    Map<String, String> headers = e.signPost(TestEndpoint.kmsHeaders(operation), body, "kms", time);
    return head(e, headers, body.length, keepAlive);
  }

  /** A POST / head with {@code headers} and Content-Length {@code length}. */
  static byte[] head(TestEndpoint e, Map<String, String> headers, int length, boolean keepAlive) {
    StringBuilder b = new StringBuilder("POST / HTTP/1.1\r\n");
    b.append("Host: ").append(e.host()).append("\r\n");
    headers.forEach((k, v) -> b.append(k).append(": ").append(v).append("\r\n"));
    b.append("Content-Length: ").append(length).append("\r\n");
    if (!keepAlive) {
      b.append("Connection: close\r\n");
    }
    b.append("\r\n");
    return b.toString().getBytes(StandardCharsets.US_ASCII);
  }

  /** Reads one response (status line, headers, Content-Length body). */
  static Response read(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    String statusLine = line(in);
    int status = Integer.parseInt(statusLine.split(" ")[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (String l = line(in); !l.isEmpty(); l = line(in)) {
      int colon = l.indexOf(':');
      headers.put(l.substring(0, colon).toLowerCase(Locale.ROOT), l.substring(colon + 1).strip());
    }
    int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
    byte[] body = in.readNBytes(length);
    return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != -1 && c != '\n') {
      if (c != '\r') {
        b.write(c);
      }
    }
    if (c == -1 && b.size() == 0) {
      throw new IOException("The connection closed");
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }
}
