package io.qkms.engine.internal.store;

import java.time.Instant;
import java.util.Objects;

/**
 * An access key of the HTTP endpoint, as stored: its ID, the principal whose calls it signs, and
 * its secret wrapped by the store's {@link MaterialProtector#wrapCredential} (never the secret
 * itself).
 *
 * @param accessKeyId e.g. {@code AKIAIOSFODNN7EXAMPLE}
 * @param principalArn the caller a request signed with this key runs as
 * @param wrappedSecret the secret access key, wrapped; only the store's protector can unwrap it
 */
public record AccessKeyRecord(
    String accessKeyId, String principalArn, byte[] wrappedSecret, Instant createDate) {
  public AccessKeyRecord {
    Objects.requireNonNull(accessKeyId, "accessKeyId");
    Objects.requireNonNull(principalArn, "principalArn");
    Objects.requireNonNull(wrappedSecret, "wrappedSecret");
    Objects.requireNonNull(createDate, "createDate");
  }

  @Override
  public String toString() {
    return "AccessKeyRecord[" + accessKeyId + ", " + principalArn + ", " + createDate + "]";
  }
}
