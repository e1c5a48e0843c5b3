package io.qkms.http;

import io.qkms.engine.keys.Region;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

/**
 * The Try It Out console: {@code GET /try-it-out}, a page that sends SigV4-signed ReEncrypt (and
 * Encrypt, Decrypt, ListKeys, ListAliases) requests to {@code POST /} as any client does. It only
 * adds static pages: a fixed set of resources from the class path, read once at start-up, for GET
 * and HEAD; every other request (every POST among them) goes to the API handler unchanged, after
 * one comparison of the method.
 *
 * <p>The page is strict about what it may do: a Content-Security-Policy allows scripts, styles and
 * requests from this origin only (no inline script, no {@code eval}, no other host), no framing, no
 * form submission and no HTML parsed from strings (Trusted Types); {@code nosniff} and the exact
 * Content-Type on every resource; no referrer; no caching of stale versions.
 */
final class TryItOutHandler extends Handler.Wrapper {
  static final String PATH = TryItOut.PATH;

  static final String CONTENT_SECURITY_POLICY =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src"
          + " 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none';"
          + " require-trusted-types-for 'script'";

  private static final String RESOURCES = "/io/qkms/http/try-it-out/";

  private static final List<HttpField> SECURITY_HEADERS =
      List.of(
          new PreEncodedHttpField("Content-Security-Policy", CONTENT_SECURITY_POLICY),
          new PreEncodedHttpField("X-Content-Type-Options", "nosniff"),
          new PreEncodedHttpField("X-Frame-Options", "DENY"),
          new PreEncodedHttpField("Referrer-Policy", "no-referrer"),
          new PreEncodedHttpField("Cross-Origin-Opener-Policy", "same-origin"),
          new PreEncodedHttpField("Cross-Origin-Resource-Policy", "same-origin"),
          new PreEncodedHttpField(HttpHeader.CACHE_CONTROL, "no-cache"));

  private record Resource(byte[] body, HttpField contentType) {}

  private final Map<String, Resource> resources;

  /**
   * @param api the handler of everything that is not the console
   * @param regions the store's regions, the home region first (the page's default)
   */
  TryItOutHandler(Handler api, List<Region> regions) {
    super(api);
    String home = regions.get(0).name();
    String page =
        text("index.html")
            .replace("{{HOME_REGION}}", html(home))
            .replace(
                "{{REGION_OPTIONS}}",
                regions.stream()
                    .map(r -> "<option value=\"" + html(r.name()) + "\"></option>")
                    .collect(Collectors.joining()))
            .replace(
                "{{REGION_LIST}}",
                regions.stream().map(r -> html(r.name())).collect(Collectors.joining(", ")));
    this.resources =
        Map.of(
            PATH,
            new Resource(page.getBytes(StandardCharsets.UTF_8), type("text/html;charset=utf-8")),
            PATH + "/console.js",
            resource("console.js", "text/javascript;charset=utf-8"),
            PATH + "/sigv4.js",
            resource("sigv4.js", "text/javascript;charset=utf-8"),
            PATH + "/console.css",
            resource("console.css", "text/css;charset=utf-8"),
            PATH + "/icon.svg",
            resource("icon.svg", "image/svg+xml"));
  }

  /** The paths it serves. */
  Set<String> paths() {
    return resources.keySet();
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    String method = request.getMethod();
    boolean head = "HEAD".equals(method);
    if (!head && !"GET".equals(method)) {
      return super.handle(request, response, callback);
    }
    Resource resource = resources.get(request.getHttpURI().getPath());
    if (resource == null) {
      return super.handle(request, response, callback);
    }
    String requestId = RequestIds.next();
    request.setAttribute(AccessLog.REQUEST_ID, requestId);
    response.setStatus(200);
    HttpFields.Mutable headers = response.getHeaders();
    headers.put(KmsHandler.REQUEST_ID_HEADER, requestId);
    headers.put(resource.contentType());
    SECURITY_HEADERS.forEach(headers::put);
    headers.put(HttpHeader.CONTENT_LENGTH, resource.body().length);
    response.write(
        true, head ? BufferUtil.EMPTY_BUFFER : ByteBuffer.wrap(resource.body()), callback);
    return true;
  }

  private static HttpField type(String contentType) {
    return new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, contentType);
  }

  private static Resource resource(String name, String contentType) {
    return new Resource(bytes(name), type(contentType));
  }

  private static String text(String name) {
    return new String(bytes(name), StandardCharsets.UTF_8);
  }

  private static byte[] bytes(String name) {
    try (InputStream in = TryItOutHandler.class.getResourceAsStream(RESOURCES + name)) {
      if (in == null) {
        throw new IllegalStateException("Missing console resource " + RESOURCES + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Escapes text for HTML content and attribute values. */
  static String html(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;")
        .replace("'", "&#39;");
  }
}
