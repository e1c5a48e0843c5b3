package io.qkms.engine.credentials;

import io.qkms.engine.api.Principal;
import java.time.Instant;
import java.util.Objects;

/** A new access key: the only value that ever carries the secret in clear. */
public record NewAccessKey(
    String accessKeyId, String secretAccessKey, Principal principal, Instant createDate) {
  public NewAccessKey {
    Objects.requireNonNull(accessKeyId, "accessKeyId");
    Objects.requireNonNull(secretAccessKey, "secretAccessKey");
    Objects.requireNonNull(principal, "principal");
    Objects.requireNonNull(createDate, "createDate");
  }

  @Override
  public String toString() {
    return "NewAccessKey[" + accessKeyId + ", " + principal + ", " + createDate + "]";
  }
}
