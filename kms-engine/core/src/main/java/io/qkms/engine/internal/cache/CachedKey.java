package io.qkms.engine.internal.cache;

import io.qkms.engine.internal.auth.KeyPolicy;
import io.qkms.engine.internal.store.KeyRecord;
import io.qkms.engine.keys.Region;
import java.util.Objects;

/**
 * A key as the data path needs it: the stored record, its ARN and its policy already parsed.
 *
 * @param policy null if the stored policy does not parse (an internal fault on use)
 */
public record CachedKey(Region region, KeyRecord record, String arn, KeyPolicy policy) {
  public CachedKey {
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(record, "record");
    Objects.requireNonNull(arn, "arn");
  }
}
