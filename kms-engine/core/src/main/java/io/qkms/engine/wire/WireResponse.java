package io.qkms.engine.wire;

import java.nio.charset.StandardCharsets;

/**
 * What the dispatcher answers: an HTTP status and a JSON body (empty for operations without
 * output), plus the error code when the call failed.
 *
 * @param errorCode the {@code __type} of an error response, or null on success
 */
public record WireResponse(int status, byte[] body, String errorCode) {
  public static final String CONTENT_TYPE = "application/x-amz-json-1.1";

  public boolean isError() {
    return errorCode != null;
  }

  public String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }
}
