package io.qkms.engine.credentials;

import io.qkms.engine.api.Principal;
import java.util.Objects;

/**
 * What verifying a request signed with an access key needs: the key's secret (ASCII bytes of the
 * secret access key; the holder zeroes them when done) and the principal the request runs as.
 */
@SuppressWarnings("ArrayRecordComponent") // the secret must be zeroable, so not a String
public record SigningSecret(String accessKeyId, Principal principal, byte[] secret) {
  public SigningSecret {
    Objects.requireNonNull(accessKeyId, "accessKeyId");
    Objects.requireNonNull(principal, "principal");
    Objects.requireNonNull(secret, "secret");
  }

  @Override
  public String toString() {
    return "SigningSecret[" + accessKeyId + ", " + principal + "]";
  }
}
