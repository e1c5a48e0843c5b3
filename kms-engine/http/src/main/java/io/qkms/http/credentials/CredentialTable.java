package io.qkms.http.credentials;

import io.qkms.engine.api.Principal;
import io.qkms.engine.crypto.Bytes;
import io.qkms.engine.store.AccessKeyRecord;
import io.qkms.engine.store.KeyStore;
import io.qkms.engine.store.StoreState;
import io.qkms.http.sigv4.SigningCredential;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's view of the store's access keys: their secrets unwrapped once and kept with their
 * cached signing keys, for the signature verifier. It rereads the store at most once per refresh
 * interval (so a key deleted by an administrator stops working within about that long), and when a
 * request names an unknown key, at most ten times a second (so a key created while the server runs
 * works at once, without letting unknown keys drive a store read per request). Thread-safe.
 */
public final class CredentialTable implements Function<String, SigningCredential>, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CredentialTable.class);
  private static final long MIN_MISS_RELOAD_NANOS = Duration.ofMillis(100).toNanos();

  private record Snapshot(long revision, Map<String, SigningCredential> byId, long loadedAt) {}

  private final KeyStore store;
  private final Duration storeTimeout;
  private final long refreshNanos;
  private final long missReloadNanos;
  private final LongSupplier nanoTime;
  private volatile Snapshot snapshot;
  private long lastMissReload;
  private boolean closed;

  /**
   * @param refresh how stale the view may get; zero rereads on every request (tests)
   * @param nanoTime the clock of the refresh intervals
   */
  public CredentialTable(
      KeyStore store, Duration storeTimeout, Duration refresh, LongSupplier nanoTime) {
    this.store = Objects.requireNonNull(store, "store");
    this.storeTimeout = Objects.requireNonNull(storeTimeout, "storeTimeout");
    this.refreshNanos = refresh.toNanos();
    this.missReloadNanos = Math.min(refreshNanos, MIN_MISS_RELOAD_NANOS);
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    this.snapshot = new Snapshot(-1, Map.of(), Long.MIN_VALUE);
    this.lastMissReload = nanoTime.getAsLong() - missReloadNanos;
  }

  /** The credential of an access key, or null if the store has no such key. */
  @Override
  public SigningCredential apply(String accessKeyId) {
    long now = nanoTime.getAsLong();
    Snapshot s = snapshot;
    if (s.loadedAt() == Long.MIN_VALUE || now - s.loadedAt() >= refreshNanos) {
      s = reload(now, false);
    }
    SigningCredential c = s.byId().get(accessKeyId);
    if (c == null) {
      s = reload(now, true);
      c = s.byId().get(accessKeyId);
    }
    return c;
  }

  /** Rereads the store unless another thread just did (or, for a miss, did too recently). */
  private synchronized Snapshot reload(long now, boolean miss) {
    Snapshot s = snapshot;
    if (closed) {
      return s;
    }
    if (miss) {
      if (now - lastMissReload < missReloadNanos) {
        return s;
      }
      lastMissReload = now;
    } else if (s.loadedAt() != Long.MIN_VALUE && now - s.loadedAt() < refreshNanos) {
      return s; // another thread reloaded while this one waited
    }
    StoreState state;
    try {
      state = store.read(storeTimeout);
    } catch (RuntimeException e) {
      // Keep serving with the keys known so far; the next interval tries again.
      LOG.warn("Cannot reread the access keys: {}", e.getClass().getName());
      snapshot = new Snapshot(s.revision(), s.byId(), now);
      return snapshot;
    }
    if (state.revision() == s.revision()) {
      snapshot = new Snapshot(s.revision(), s.byId(), now);
      return snapshot;
    }
    Map<String, SigningCredential> next = new HashMap<>();
    boolean complete = true;
    for (AccessKeyRecord r : state.accessKeys()) {
      SigningCredential known = s.byId().get(r.accessKeyId());
      if (known != null && known.principal().arn().equals(r.principalArn())) {
        next.put(r.accessKeyId(), known); // keeps its cached signing keys
        continue;
      }
      SigningCredential c = unwrap(r);
      if (c != null) {
        next.put(r.accessKeyId(), c);
      } else {
        complete = false;
      }
    }
    for (Map.Entry<String, SigningCredential> old : s.byId().entrySet()) {
      if (next.get(old.getKey()) != old.getValue()) {
        old.getValue().destroy(); // deleted (or replaced): forget its secret
      }
    }
    // A key that could not be unwrapped (a sealed store) is tried again at the next reload.
    snapshot = new Snapshot(complete ? state.revision() : -1, Map.copyOf(next), now);
    return snapshot;
  }

  private SigningCredential unwrap(AccessKeyRecord r) {
    Principal principal = Principal.tryParse(r.principalArn());
    if (principal == null) {
      LOG.warn("Access key {} names an invalid principal; it is ignored", r.accessKeyId());
      return null;
    }
    byte[] secret;
    try {
      secret = store.materialProtector().unwrapCredential(r.accessKeyId(), r.wrappedSecret());
    } catch (RuntimeException e) {
      LOG.warn(
          "Cannot unwrap access key {}: {}; it is ignored",
          r.accessKeyId(),
          e.getClass().getName());
      return null;
    }
    try {
      return new SigningCredential(r.accessKeyId(), principal, secret);
    } finally {
      Bytes.zero(secret);
    }
  }

  /** Forgets every secret; the table answers nothing afterwards. */
  @Override
  public synchronized void close() {
    closed = true;
    snapshot.byId().values().forEach(SigningCredential::destroy);
    snapshot = new Snapshot(Long.MAX_VALUE, Map.of(), Long.MAX_VALUE);
  }
}
