package io.qkms.engine.api;

import io.qkms.engine.keys.Region;
import java.util.Objects;

/** Who calls and in which region: every operation runs as one principal in one region. */
public record Caller(Principal principal, Region region) {
  public Caller {
    Objects.requireNonNull(principal, "principal");
    Objects.requireNonNull(region, "region");
  }
}
