package io.qkms.http.sigv4;

import static io.qkms.http.sigv4.SigV4Exception.INCOMPLETE_SIGNATURE;
import static io.qkms.http.sigv4.SigV4Exception.INVALID_SIGNATURE;
import static io.qkms.http.sigv4.SigV4Exception.MISSING_AUTHENTICATION_TOKEN;
import static io.qkms.http.sigv4.SigV4Exception.UNRECOGNIZED_CLIENT;

import io.qkms.engine.wire.Timestamps;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Verifies AWS Signature Version 4 on a request signed in its Authorization header, as an AWS
 * service does: it rebuilds the canonical request and the string to sign from what arrived, derives
 * the signing key from the access key's secret (cached per scope), and compares signatures in
 * constant time. The credential scope must name a region this server accepts (the region the call
 * then runs in), the configured service and the date of {@code X-Amz-Date}, which must be within
 * the allowed skew of the server's clock; {@code host} must be signed; the payload hash is always
 * computed from the body (an {@code x-amz-content-sha256} header must agree with it). Failures
 * carry AWS's error codes and, where AWS's wording is known, its messages.
 *
 * <p>Only header signing ({@code AWS4-HMAC-SHA256}) is accepted: no presigned query strings, no
 * SigV4a, no chunked payload signing. Thread-safe.
 */
public final class SigV4Verifier {
  /** The only algorithm accepted. */
  public static final String ALGORITHM = "AWS4-HMAC-SHA256";

  /** AWS: "a request must reach AWS within five minutes of the time stamp in the request". */
  public static final Duration DEFAULT_MAX_SKEW = Duration.ofMinutes(5);

  static final String SIGNATURE_MISMATCH =
      "The request signature we calculated does not match the signature you provided. Check your"
          + " AWS Secret Access Key and signing method. Consult the service documentation for"
          + " details.";
  static final String INVALID_TOKEN = "The security token included in the request is invalid.";

  private static final DateTimeFormatter AMZ_DATE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final ThreadLocal<ByteBuilder> BUFFER = ThreadLocal.withInitial(ByteBuilder::new);

  private final String service;
  private final Predicate<String> regions;
  private final Clock clock;
  private final long maxSkewSeconds;
  private final boolean normalizePath;
  private final boolean acceptSessionTokens;
  private final Function<String, SigningCredential> credentials;
  private final List<String> requiredSignedHeaders;

  private SigV4Verifier(Builder b) {
    this.service = b.service;
    this.regions = b.regions;
    this.clock = b.clock;
    this.maxSkewSeconds = b.maxSkew.getSeconds();
    this.normalizePath = b.normalizePath;
    this.acceptSessionTokens = b.acceptSessionTokens;
    this.credentials = b.credentials;
    this.requiredSignedHeaders = b.requiredSignedHeaders;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Who signed a request, and the region its credential scope names. */
  public record Verified(SigningCredential credential, String region) {}

  /**
   * A request whose headers have been checked (everything SigV4 lets a server check before the
   * body): the Authorization header and scope, the date, the signed headers, the access key. When
   * the request declares its payload hash ({@code x-amz-content-sha256}), the signature itself is
   * verified too, and only the body's hash remains to be compared.
   */
  public static final class Headers {
    private final Authorization auth;
    private final SigningCredential credential;
    private final String region;
    private final byte[] declaredPayloadHash;

    private Headers(
        Authorization auth, SigningCredential credential, String region, byte[] declared) {
      this.auth = auth;
      this.credential = credential;
      this.region = region;
      this.declaredPayloadHash = declared;
    }

    /** Who signed, if the body turns out to match. */
    public SigningCredential credential() {
      return credential;
    }

    /** Whether the signature is already verified (the payload hash was declared and signed). */
    public boolean signatureVerified() {
      return declaredPayloadHash != null;
    }
  }

  /**
   * Verifies {@code request} with body {@code body[0, bodyLength)}.
   *
   * @throws SigV4Exception if it does not authenticate
   */
  public Verified verify(SignableRequest request, byte[] body, int bodyLength) {
    return verifyBody(checkHeaders(request), request, body, bodyLength);
  }

  /**
   * Checks what can be checked before the body arrives: a request that fails here need not be read
   * any further.
   *
   * @throws SigV4Exception if the headers already show that it does not authenticate
   */
  public Headers checkHeaders(SignableRequest request) {
    Authorization auth = Authorization.parse(request, requiredSignedHeaders);
    String amzDate = auth.amzDate;
    long requestEpoch = parseAmzDate(amzDate);

    String[] scope = auth.credential.split("/", -1);
    if (scope.length != 5) {
      throw new SigV4Exception(
          INCOMPLETE_SIGNATURE,
          "Credential must have exactly 5 slash-delimited elements, e.g."
              + " keyid/date/region/service/term, got '"
              + auth.credential
              + "'");
    }
    String accessKeyId = scope[0];
    String date = scope[1];
    String region = scope[2];
    String scopeService = scope[3];
    if (!date.equals(amzDate.substring(0, 8))) {
      throw new SigV4Exception(
          INVALID_SIGNATURE,
          "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from"
              + " HTTP: '"
              + date
              + "' != '"
              + amzDate.substring(0, 8)
              + "', from '"
              + amzDate
              + "'.");
    }
    if (!regions.test(region)) {
      throw new SigV4Exception(
          INVALID_SIGNATURE,
          "Credential should be scoped to a valid region, not '" + region + "'. ");
    }
    if (!service.equals(scopeService)) {
      throw new SigV4Exception(
          INVALID_SIGNATURE, "Credential should be scoped to correct service: '" + service + "'. ");
    }
    if (!"aws4_request".equals(scope[4])) {
      throw new SigV4Exception(
          INVALID_SIGNATURE,
          "Credential should be scoped with a valid terminator: 'aws4_request', not '"
              + scope[4]
              + "'. ");
    }
    checkSkew(requestEpoch, amzDate);

    SigningCredential credential = accessKeyId.isEmpty() ? null : credentials.apply(accessKeyId);
    if (credential == null) {
      throw new SigV4Exception(UNRECOGNIZED_CLIENT, INVALID_TOKEN);
    }
    if (!acceptSessionTokens && !request.headerValues("x-amz-security-token").isEmpty()) {
      throw new SigV4Exception(UNRECOGNIZED_CLIENT, INVALID_TOKEN); // we issue no session tokens
    }
    List<String> declared = request.headerValues("x-amz-content-sha256");
    if (declared.isEmpty() || !isSha256Hex(declared.get(0).strip())) {
      return new Headers(auth, credential, region, null);
    }
    byte[] declaredHash = declared.get(0).strip().getBytes(StandardCharsets.US_ASCII);
    checkSignature(auth, credential, request, declaredHash, region);
    return new Headers(auth, credential, region, declaredHash);
  }

  /**
   * Completes {@link #checkHeaders} with the body: compares its hash with the declared one, or
   * verifies the signature over it.
   *
   * @throws SigV4Exception if it does not authenticate
   */
  public Verified verifyBody(
      Headers headers, SignableRequest request, byte[] body, int bodyLength) {
    MessageDigest sha = Hmac.digest();
    sha.update(body, 0, bodyLength);
    byte[] payloadHash = ByteBuilder.hex(sha.digest());
    List<String> declared = request.headerValues("x-amz-content-sha256");
    if (!declared.isEmpty()
        && !MessageDigest.isEqual(
            declared.get(0).strip().getBytes(StandardCharsets.US_ASCII), payloadHash)) {
      throw new SigV4Exception(
          INVALID_SIGNATURE,
          "The provided 'x-amz-content-sha256' header does not match what was computed.");
    }
    if (headers.declaredPayloadHash == null) {
      checkSignature(headers.auth, headers.credential, request, payloadHash, headers.region);
    }
    return new Verified(headers.credential, headers.region);
  }

  private void checkSignature(
      Authorization auth,
      SigningCredential credential,
      SignableRequest request,
      byte[] payloadHash,
      String region) {
    ByteBuilder b = BUFFER.get().reset();
    canonicalRequest(b, request, auth.signedHeaders, payloadHash);
    MessageDigest sha = Hmac.digest();
    sha.update(b.array(), 0, b.length());
    byte[] canonicalHash = sha.digest();

    String accessKeyId = credential.accessKeyId();
    String scopeText = auth.credential.substring(accessKeyId.length() + 1);
    String date = auth.amzDate.substring(0, 8);
    b.reset()
        .append(ALGORITHM)
        .append('\n')
        .append(auth.amzDate)
        .append('\n')
        .append(scopeText)
        .append('\n')
        .appendHex(canonicalHash);
    byte[] key = credential.signingKey(scopeText, date, region, service);
    byte[] expected = ByteBuilder.hex(Hmac.sha256(key, b.array(), 0, b.length()));
    byte[] given = auth.signature.getBytes(StandardCharsets.ISO_8859_1);
    if (!MessageDigest.isEqual(expected, given)) {
      throw new SigV4Exception(INVALID_SIGNATURE, SIGNATURE_MISMATCH);
    }
  }

  private static boolean isSha256Hex(String s) {
    if (s.length() != 64) {
      return false; // e.g. UNSIGNED-PAYLOAD: the body is then hashed as it is
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
        return false;
      }
    }
    return true;
  }

  /** The canonical request of a signed request, as verify hashes it (for tests). */
  String canonicalRequest(SignableRequest request, byte[] body, int bodyLength) {
    Authorization auth = Authorization.parse(request, List.of());
    MessageDigest sha = Hmac.digest();
    sha.update(body, 0, bodyLength);
    ByteBuilder b = new ByteBuilder();
    canonicalRequest(b, request, auth.signedHeaders, ByteBuilder.hex(sha.digest()));
    return new String(b.array(), 0, b.length(), StandardCharsets.UTF_8);
  }

  private void checkSkew(long requestEpoch, String amzDate) {
    long now = clock.millis() / 1000;
    if (requestEpoch < now - maxSkewSeconds) {
      throw new SigV4Exception(
          INVALID_SIGNATURE,
          "Signature expired: "
              + amzDate
              + " is now earlier than "
              + format(now - maxSkewSeconds)
              + " ("
              + format(now)
              + " - "
              + minutes()
              + ")");
    }
    if (requestEpoch > now + maxSkewSeconds) {
      throw new SigV4Exception(
          INVALID_SIGNATURE,
          "Signature not yet current: "
              + amzDate
              + " is still later than "
              + format(now + maxSkewSeconds)
              + " ("
              + format(now)
              + " + "
              + minutes()
              + ")");
    }
  }

  private String minutes() {
    return maxSkewSeconds % 60 == 0 ? maxSkewSeconds / 60 + " min." : maxSkewSeconds + " sec.";
  }

  private static String format(long epochSecond) {
    return AMZ_DATE.format(Instant.ofEpochSecond(epochSecond));
  }

  /** {@code yyyyMMdd'T'HHmmss'Z'} to epoch seconds, by hand (it is on every request). */
  static long parseAmzDate(String s) {
    if (s.length() == 16 && s.charAt(8) == 'T' && s.charAt(15) == 'Z') {
      long epochSecond = Timestamps.epochSecond(s, 0, 4, 6, 9, 11, 13);
      if (epochSecond != Timestamps.INVALID) {
        return epochSecond;
      }
    }
    throw new SigV4Exception(
        INCOMPLETE_SIGNATURE,
        "Date must be in ISO-8601 'basic format'. Got '"
            + s
            + "'. See http://en.wikipedia.org/wiki/ISO_8601");
  }

  // ---- Canonical request ----------------------------------------------------------------------

  private void canonicalRequest(
      ByteBuilder b, SignableRequest request, String signedHeaders, byte[] payloadHash) {
    b.append(request.method()).append('\n');
    canonicalUri(b, request.rawPath());
    b.append('\n');
    canonicalQuery(b, request.rawQuery());
    b.append('\n');
    int from = 0;
    while (from <= signedHeaders.length()) {
      int semi = signedHeaders.indexOf(';', from);
      int to = semi < 0 ? signedHeaders.length() : semi;
      String name = signedHeaders.substring(from, to);
      b.append(name).append(':');
      List<String> values = request.headerValues(name);
      for (int i = 0; i < values.size(); i++) {
        if (i > 0) {
          b.append(',');
        }
        appendTrimmed(b, values.get(i));
      }
      b.append('\n');
      if (semi < 0) {
        break;
      }
      from = semi + 1;
    }
    b.append('\n').append(signedHeaders).append('\n');
    for (byte h : payloadHash) {
      b.append(h);
    }
  }

  /** A header value with leading and trailing space removed and inner runs of space made one. */
  private static void appendTrimmed(ByteBuilder b, String v) {
    int start = 0;
    int end = v.length();
    while (start < end && isSpace(v.charAt(start))) {
      start++;
    }
    while (end > start && isSpace(v.charAt(end - 1))) {
      end--;
    }
    boolean inSpace = false;
    for (int i = start; i < end; i++) {
      char c = v.charAt(i);
      if (isSpace(c)) {
        if (!inSpace) {
          b.append(' ');
        }
        inSpace = true;
      } else {
        inSpace = false;
        if (c < 0x80) {
          b.append((byte) c);
        } else {
          b.append(v, i, i + 1 + (Character.isHighSurrogate(c) && i + 1 < end ? 1 : 0));
          if (Character.isHighSurrogate(c) && i + 1 < end) {
            i++;
          }
        }
      }
    }
  }

  private static boolean isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
  }

  /**
   * The path, with dot segments and empty segments removed when normalizing (every service but S3),
   * each byte that is not unreserved percent-encoded. The path is encoded as it arrived, percent
   * signs included: the SDKs sign non-S3 paths encoded twice.
   */
  private void canonicalUri(ByteBuilder b, String rawPath) {
    String path = rawPath == null || rawPath.isEmpty() ? "/" : rawPath;
    if (normalizePath && !path.equals("/")) {
      path = removeDotSegments(path);
    }
    if (path.equals("/")) {
      b.append('/');
      return;
    }
    byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
    for (byte x : bytes) {
      b.appendUriEncoded(x, true);
    }
  }

  static String removeDotSegments(String path) {
    Deque<String> out = new ArrayDeque<>();
    for (String segment : path.split("/")) {
      if (segment.isEmpty() || segment.equals(".")) {
        continue;
      }
      if (segment.equals("..")) {
        out.pollLast();
      } else {
        out.addLast(segment);
      }
    }
    StringBuilder s = new StringBuilder();
    for (String segment : out) {
      s.append('/').append(segment);
    }
    if (s.length() == 0 || path.endsWith("/")) {
      s.append('/');
    }
    return s.toString();
  }

  /** Parameters decoded, re-encoded, sorted by name then value, joined with '&'. */
  private static void canonicalQuery(ByteBuilder b, String rawQuery) {
    if (rawQuery == null || rawQuery.isEmpty()) {
      return;
    }
    List<String[]> params = new ArrayList<>();
    for (String p : rawQuery.split("&")) {
      if (p.isEmpty()) {
        continue;
      }
      int eq = p.indexOf('=');
      String name = eq < 0 ? p : p.substring(0, eq);
      String value = eq < 0 ? "" : p.substring(eq + 1);
      params.add(new String[] {reencode(name), reencode(value)});
    }
    params.sort((x, y) -> x[0].equals(y[0]) ? x[1].compareTo(y[1]) : x[0].compareTo(y[0]));
    for (int i = 0; i < params.size(); i++) {
      if (i > 0) {
        b.append('&');
      }
      b.append(params.get(i)[0]).append('=').append(params.get(i)[1]);
    }
  }

  /** Percent-decodes (leaving malformed escapes as they are), then encodes SigV4's way. */
  private static String reencode(String s) {
    byte[] raw = s.getBytes(StandardCharsets.UTF_8);
    ByteBuilder out = new ByteBuilder();
    for (int i = 0; i < raw.length; i++) {
      byte x = raw[i];
      if (x == '%'
          && i + 2 < raw.length
          && hexValue(raw[i + 1]) >= 0
          && hexValue(raw[i + 2]) >= 0) {
        x = (byte) (hexValue(raw[i + 1]) << 4 | hexValue(raw[i + 2]));
        i += 2;
      }
      out.appendUriEncoded(x, false);
    }
    return new String(out.array(), 0, out.length(), StandardCharsets.US_ASCII);
  }

  private static int hexValue(byte c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    return -1;
  }

  // ---- The Authorization header ---------------------------------------------------------------

  /** The parts of an Authorization header, and the request's X-Amz-Date. */
  private static final class Authorization {
    String credential;
    String signedHeaders;
    String signature;
    String amzDate;

    static Authorization parse(SignableRequest request, List<String> requiredSignedHeaders) {
      List<String> headers = request.headerValues("authorization");
      if (headers.isEmpty()) {
        throw new SigV4Exception(MISSING_AUTHENTICATION_TOKEN, "Missing Authentication Token");
      }
      String header = headers.get(0).strip();
      int space = header.indexOf(' ');
      String algorithm = space < 0 ? header : header.substring(0, space);
      Authorization a = new Authorization();
      if (space >= 0) {
        for (String part : header.substring(space + 1).split(",")) {
          String p = part.strip();
          if (p.isEmpty()) {
            continue;
          }
          int eq = p.indexOf('=');
          if (eq < 0) {
            throw new SigV4Exception(
                INCOMPLETE_SIGNATURE,
                "Invalid key=value pair (missing equal-sign) in Authorization header (hashed with"
                    + " SHA-256 and encoded with Base64): '"
                    + hashed(header)
                    + "'.");
          }
          String key = p.substring(0, eq).strip();
          String value = p.substring(eq + 1).strip();
          switch (key) {
            case "Credential" -> a.credential = value;
            case "SignedHeaders" -> a.signedHeaders = value;
            case "Signature" -> a.signature = value;
            default -> {
              // AWS ignores parameters it does not know
            }
          }
        }
      }
      List<String> dates = request.headerValues("x-amz-date");
      a.amzDate = dates.isEmpty() ? null : dates.get(0).strip();
      StringBuilder missing = new StringBuilder();
      if (a.credential == null) {
        missing.append("Authorization header requires 'Credential' parameter. ");
      }
      if (a.signature == null) {
        missing.append("Authorization header requires 'Signature' parameter. ");
      }
      if (a.signedHeaders == null) {
        missing.append("Authorization header requires 'SignedHeaders' parameter. ");
      }
      if (a.amzDate == null) {
        missing.append(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date'"
                + " header. ");
      }
      if (missing.length() > 0) {
        throw new SigV4Exception(INCOMPLETE_SIGNATURE, missing.toString().strip());
      }
      if (!ALGORITHM.equals(algorithm)) {
        throw new SigV4Exception(
            INCOMPLETE_SIGNATURE, "Unsupported AWS 'algorithm': '" + algorithm + "'.");
      }
      if (!signs(a.signedHeaders, "host")) {
        throw new SigV4Exception(
            INCOMPLETE_SIGNATURE, "'Host' must be a 'SignedHeader' in the AWS Authorization.");
      }
      for (String name : requiredSignedHeaders) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (!request.headerValues(lower).isEmpty() && !signs(a.signedHeaders, lower)) {
          throw new SigV4Exception(
              INCOMPLETE_SIGNATURE,
              "'" + name + "' must be a 'SignedHeader' in the AWS Authorization.");
        }
      }
      return a;
    }

    private static boolean signs(String signedHeaders, String name) {
      for (String h : signedHeaders.split(";")) {
        if (h.equals(name)) {
          return true;
        }
      }
      return false;
    }

    /** The header as AWS names it without echoing it: base64 of its SHA-256. */
    private static String hashed(String header) {
      MessageDigest d = Hmac.digest();
      return Base64.getEncoder().encodeToString(d.digest(header.getBytes(StandardCharsets.UTF_8)));
    }
  }

  /** Builds a {@link SigV4Verifier}; service, regions and credentials are required. */
  public static final class Builder {
    private String service;
    private Predicate<String> regions;
    private Clock clock = Clock.systemUTC();
    private Duration maxSkew = DEFAULT_MAX_SKEW;
    private boolean normalizePath = true;
    private boolean acceptSessionTokens;
    private Function<String, SigningCredential> credentials;
    private List<String> requiredSignedHeaders = List.of();

    private Builder() {}

    /** The service credential scopes must name, e.g. {@code kms}. */
    public Builder service(String service) {
      this.service = Objects.requireNonNull(service, "service");
      return this;
    }

    /** Which credential-scope regions are accepted (the call then runs in that region). */
    public Builder regions(Predicate<String> regions) {
      this.regions = Objects.requireNonNull(regions, "regions");
      return this;
    }

    /** The server clock {@code X-Amz-Date} is checked against. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** How far {@code X-Amz-Date} may be from the clock, either way (default 5 minutes). */
    public Builder maxSkew(Duration maxSkew) {
      this.maxSkew = Objects.requireNonNull(maxSkew, "maxSkew");
      return this;
    }

    /** Whether paths are normalized before signing (true for every service but S3). */
    public Builder normalizePath(boolean normalizePath) {
      this.normalizePath = normalizePath;
      return this;
    }

    /**
     * Whether an {@code X-Amz-Security-Token} header is tolerated (the test suite has some); a
     * server without session tokens refuses them as AWS refuses an unknown token.
     */
    public Builder acceptSessionTokens(boolean accept) {
      this.acceptSessionTokens = accept;
      return this;
    }

    /** Looks an access key ID up; returns null for one that does not exist. */
    public Builder credentials(Function<String, SigningCredential> credentials) {
      this.credentials = Objects.requireNonNull(credentials, "credentials");
      return this;
    }

    /**
     * Headers that must be among the signed ones besides {@code host} when the request has them,
     * named as the error message should name them (e.g. {@code X-Amz-Target}): a request that sends
     * one unsigned is refused with IncompleteSignatureException, as AWS refuses an unsigned {@code
     * host}. Every AWS SDK signs {@code X-Amz-Target} and {@code Content-Type}; a server that
     * dispatches on them must require it, or a signed body could be replayed to another operation.
     */
    public Builder requireSignedHeaders(String... names) {
      this.requiredSignedHeaders = List.of(names);
      return this;
    }

    public SigV4Verifier build() {
      if (service == null || regions == null || credentials == null) {
        throw new IllegalStateException("service, regions and credentials are required");
      }
      return new SigV4Verifier(this);
    }
  }
}
