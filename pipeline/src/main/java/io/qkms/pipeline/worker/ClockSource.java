package io.qkms.pipeline.worker;

import java.io.Serializable;
import java.time.Clock;

/**
 * Where a worker engine takes its clock from (cache expiry, key deletion windows). Jobs use the
 * system clock; tests substitute one they move by hand. Implementations must have value equality (a
 * record naming the clock), because workers share one engine per equal {@link EngineSpec}.
 */
public interface ClockSource extends Serializable {
  Clock clock();
}
