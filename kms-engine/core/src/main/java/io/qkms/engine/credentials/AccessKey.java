package io.qkms.engine.credentials;

import java.time.Instant;
import java.util.Objects;

/**
 * An access key as {@link AccessKeys#list()} shows it: never its secret.
 *
 * @param principalArn whose calls the key signs, as stored
 */
public record AccessKey(String accessKeyId, String principalArn, Instant createDate) {
  public AccessKey {
    Objects.requireNonNull(accessKeyId, "accessKeyId");
    Objects.requireNonNull(principalArn, "principalArn");
    Objects.requireNonNull(createDate, "createDate");
  }
}
