package io.qkms.engine.internal.auth;

import java.util.Set;
import java.util.function.Supplier;

/**
 * The grants that allowed the calls made on this thread inside {@link #collect}, for the audit
 * trail ("grant IDs used"). Authorization notes a grant only when the key policy did not allow the
 * call by itself. Operations run on their caller's thread, so the thread's set is the call's own.
 */
public final class GrantsUsed {
  private static final ThreadLocal<Set<String>> CURRENT = new ThreadLocal<>();

  private GrantsUsed() {}

  /** Runs {@code call}, adding to {@code into} the ID of every grant that allowed part of it. */
  public static <T> T collect(Supplier<T> call, Set<String> into) {
    Set<String> outer = CURRENT.get();
    CURRENT.set(into);
    try {
      return call.get();
    } finally {
      if (outer == null) {
        CURRENT.remove();
      } else {
        CURRENT.set(outer);
      }
    }
  }

  /** Notes that grant {@code grantId} allowed a call, if someone is collecting. */
  public static void note(String grantId) {
    Set<String> s = CURRENT.get();
    if (s != null) {
      s.add(grantId);
    }
  }
}
