package io.qkms.http.credentials;

import io.qkms.engine.credentials.SigningSecret;
import io.qkms.http.sigv4.SigningCredential;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's view of the access keys: each key's signing secret, asked of the engine once ({@link
 * io.qkms.engine.credentials.AccessKeys#signingSecret}) and kept with its cached signing keys for
 * the signature verifier. A known key is asked again at most once per refresh interval (so a key
 * deleted by an administrator stops working within about that long); keys the table does not know
 * are asked for at most ten times a second in all, in bursts of up to ten (so a key created while
 * the server runs works at once, and several clients that start together are all let in, without
 * letting unknown keys drive a store read per request). Thread-safe.
 */
public final class CredentialTable implements Function<String, SigningCredential>, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CredentialTable.class);
  private static final long MIN_MISS_LOOKUP_NANOS = Duration.ofMillis(100).toNanos();
  private static final int MISS_LOOKUP_BURST = 10;

  private record Entry(SigningCredential credential, long checkedAt) {}

  private final Function<String, Optional<SigningSecret>> secrets;
  private final long refreshNanos;
  private final long missLookupNanos;
  private final LongSupplier nanoTime;
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();

  /** Token bucket of miss lookups, as a time: full when at least a burst's worth in the past. */
  private long missLookupsFrom;

  private boolean closed;

  /**
   * @param secrets the signing secret of an access key ID, empty if there is no such key
   * @param refresh how stale a known key may get; zero asks on every request (tests)
   * @param nanoTime the clock of the refresh intervals
   */
  public CredentialTable(
      Function<String, Optional<SigningSecret>> secrets, Duration refresh, LongSupplier nanoTime) {
    this.secrets = Objects.requireNonNull(secrets, "secrets");
    this.refreshNanos = refresh.toNanos();
    this.missLookupNanos = Math.min(refreshNanos, MIN_MISS_LOOKUP_NANOS);
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    this.missLookupsFrom = nanoTime.getAsLong() - MISS_LOOKUP_BURST * missLookupNanos;
  }

  /** The credential of an access key, or null if the store has no such key. */
  @Override
  public SigningCredential apply(String accessKeyId) {
    long now = nanoTime.getAsLong();
    Entry e = entries.get(accessKeyId);
    if (e != null && now - e.checkedAt() < refreshNanos) {
      return e.credential();
    }
    return lookUp(accessKeyId, now);
  }

  /**
   * Asks for the key's secret unless another thread just did (or, for a miss, did too recently).
   */
  private synchronized SigningCredential lookUp(String accessKeyId, long now) {
    Entry known = entries.get(accessKeyId);
    if (closed) {
      return null;
    }
    if (known == null) {
      long burstStart = now - MISS_LOOKUP_BURST * missLookupNanos;
      if (missLookupsFrom < burstStart) {
        missLookupsFrom = burstStart;
      }
      if (missLookupsFrom + missLookupNanos > now) {
        return null; // the bucket is empty
      }
      missLookupsFrom += missLookupNanos;
    } else if (now - known.checkedAt() < refreshNanos) {
      return known.credential(); // another thread asked while this one waited
    }
    Optional<SigningSecret> found;
    try {
      found = secrets.apply(accessKeyId);
    } catch (RuntimeException ex) {
      // A sealed or unreadable store: keep serving a known key; an unknown one is asked again
      // later.
      LOG.warn("Cannot look up access key {}: {}", accessKeyId, ex.getClass().getName());
      if (known == null) {
        return null;
      }
      entries.put(accessKeyId, new Entry(known.credential(), now));
      return known.credential();
    }
    if (found.isEmpty()) {
      if (known != null) {
        entries.remove(accessKeyId);
        known.credential().destroy(); // deleted: forget its secret
      }
      return null;
    }
    SigningSecret s = found.get();
    try {
      SigningCredential c;
      if (known != null
          && known.credential().principal().equals(s.principal())
          && known.credential().holds(s.secret())) {
        c = known.credential(); // unchanged: keeps its cached signing keys
      } else {
        c = new SigningCredential(accessKeyId, s.principal(), s.secret());
        if (known != null) {
          known.credential().destroy();
        }
      }
      entries.put(accessKeyId, new Entry(c, now));
      return c;
    } finally {
      Arrays.fill(s.secret(), (byte) 0);
    }
  }

  /** Forgets every secret; the table answers nothing afterwards. */
  @Override
  public synchronized void close() {
    closed = true;
    entries.values().forEach(e -> e.credential().destroy());
    entries.clear();
  }
}
