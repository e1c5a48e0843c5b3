package io.qkms.engine.audit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.NANOSECONDS;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An append-only, hash-chained trail of JSON lines in one directory, shared by every process that
 * writes to it (a serving server and CLI commands on the same store).
 *
 * <p>Each line is a JSON object whose first fields are {@code seq} (one more than the line before,
 * across files) and {@code prev} (hex SHA-256 of the previous line's bytes, without its newline; 64
 * zeros for the first line of the trail). Files are {@code audit-<index>-<yyyymmdd>.jsonl}; a file
 * is closed when it reaches the size limit or the UTC day changes, and its digest, {@code
 * <file>.digest}, is written: the file's SHA-256, its line count, its last line's hash, and an
 * HMAC-SHA256 over those under the digest key.
 *
 * <p>Writers (group commit): callers of {@link #append} queue their lines; one of them, the leader,
 * takes the directory's lock (a lock per directory for the threads of this JVM, then an OS file
 * lock on {@code audit.head} for other processes), then takes the queued lines (at most {@code
 * maxBatchLines} lines and about {@value #MAX_BATCH_BYTES} bytes), reads and checks the head
 * (current file, last seq, last hash, HMAC'd) once, appends the whole batch with one write, writes
 * the head back once, and wakes the callers of the batch. Lines queued while a batch is written
 * form the next one, which the leader goes on to write while it holds the locks (at most {@value
 * #MAX_BATCHES_PER_LEADER} batches in a row); a lone caller leads a batch of one. Every line
 * reaches the operating system (a {@code write}) before its {@link #append} returns, so it survives
 * the writing process dying; files and the head are synced to disk ({@code fsync}) when a file is
 * closed and when the trail is closed, not per line. If any part of a batch fails, every {@link
 * #append} of that batch throws. A caller waits at most {@code maxWait} (for the locks and for its
 * batch) and then throws: a line still queued is dropped, one already in a batch being written may
 * still be written (the trail may hold a line for a call that failed, never lack one for a call
 * that did not).
 */
public final class AuditTrail implements AutoCloseable {
  static final String HEAD = "audit.head";
  static final String ZERO_HASH = "0".repeat(64);
  static final ObjectMapper JSON = new ObjectMapper();

  /** Files are closed at this size by default. */
  public static final long DEFAULT_MAX_FILE_BYTES = 64L * 1024 * 1024;

  /** At most this many lines are written as one batch by default. */
  static final int DEFAULT_MAX_BATCH_LINES = 256;

  /** A batch stops taking lines at about this many bytes (a batch takes at least one line). */
  static final int MAX_BATCH_BYTES = 1 << 20;

  /** A leader writes at most this many batches in a row (lines queued while it writes). */
  static final int MAX_BATCHES_PER_LEADER = 8;

  /** A caller of {@link #append} waits at most this long by default, then fails. */
  static final Duration DEFAULT_MAX_WAIT = Duration.ofSeconds(10);

  private static final ConcurrentHashMap<Path, ReentrantLock> DIRECTORY_LOCKS =
      new ConcurrentHashMap<>();

  private final Path dir;
  private final byte[] digestKey;
  private final Clock clock;
  private final long maxFileBytes;
  private final int maxBatchLines;
  private final long maxWaitNanos;

  /** Held while a batch (or a seal, a check, a close) uses the files; shared per directory. */
  private final ReentrantLock directoryLock;

  // The queue of lines waiting for a batch, and whether a caller is leading one.
  private final ReentrantLock queueLock = new ReentrantLock();
  private final Condition batchDone = queueLock.newCondition();
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private boolean leading;

  /** One caller's line: the event's JSON, and what became of it. */
  private static final class Pending {
    final byte[] event;
    volatile boolean taken;
    volatile boolean done;
    volatile Throwable failure;

    Pending(byte[] event) {
      this.event = event;
    }
  }

  private AuditTrail(
      Path dir,
      byte[] digestKey,
      Clock clock,
      long maxFileBytes,
      int maxBatchLines,
      Duration wait) {
    this.dir = dir;
    this.digestKey = digestKey.clone();
    this.clock = clock;
    this.maxFileBytes = maxFileBytes;
    this.maxBatchLines = maxBatchLines;
    this.maxWaitNanos = wait.toNanos();
    this.directoryLock = directoryLock(dir);
  }

  /**
   * A trail in {@code dir} (created if missing).
   *
   * @param digestKey the key that signs digests and the head (see FileKeyStore#auditDigestKey)
   */
  public static AuditTrail open(Path dir, byte[] digestKey, Clock clock, long maxFileBytes)
      throws IOException {
    return open(dir, digestKey, clock, maxFileBytes, DEFAULT_MAX_BATCH_LINES, DEFAULT_MAX_WAIT);
  }

  static AuditTrail open(
      Path dir,
      byte[] digestKey,
      Clock clock,
      long maxFileBytes,
      int maxBatchLines,
      Duration maxWait)
      throws IOException {
    if (maxBatchLines < 1 || maxWait.isNegative() || maxWait.isZero()) {
      throw new IllegalArgumentException("maxBatchLines >= 1 and a positive maxWait");
    }
    Path abs = dir.toAbsolutePath().normalize();
    Files.createDirectories(abs);
    return new AuditTrail(abs, digestKey, clock, maxFileBytes, maxBatchLines, maxWait);
  }

  /** The lock of a directory's files for this JVM's writers (every trail on it shares it). */
  static ReentrantLock directoryLock(Path dir) {
    return DIRECTORY_LOCKS.computeIfAbsent(
        dir.toAbsolutePath().normalize(), d -> new ReentrantLock());
  }

  public Path directory() {
    return dir;
  }

  /** The trail's files in {@code dir}, oldest first (digests and the head left out). */
  public static List<Path> files(Path dir) throws IOException {
    return AuditFiles.list(dir);
  }

  /**
   * Appends one event (its fields follow {@code seq} and {@code prev}, which it must not have).
   * Returns once the line is written; throws if it could not be written (or not within the wait
   * bound): the caller decides whether to serve unaudited.
   */
  public void append(ObjectNode event) throws IOException {
    if (event.has("seq") || event.has("prev")) {
      throw new IllegalArgumentException("An audit event must not carry seq or prev");
    }
    // Serialized here, by the caller's thread, so that the leader only chains and writes.
    Pending p = new Pending(JSON.writeValueAsBytes(event));
    long deadline = System.nanoTime() + maxWaitNanos;
    queueLock.lock();
    try {
      queue.add(p);
      while (true) {
        if (p.done) {
          if (p.failure != null) {
            throw failure(p.failure);
          }
          return;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw gaveUp(p, "it waited " + Duration.ofNanos(maxWaitNanos).toMillis() + " ms");
        }
        if (!leading && !p.taken) {
          leading = true;
          queueLock.unlock();
          try {
            lead(deadline);
          } finally {
            queueLock.lock();
            leading = false;
            batchDone.signalAll();
          }
          continue;
        }
        try {
          batchDone.awaitNanos(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw gaveUp(p, "it was interrupted");
        }
      }
    } finally {
      queueLock.unlock();
    }
  }

  /** Called with the queue lock held: a caller that stops waiting for its line. */
  private IOException gaveUp(Pending p, String why) {
    if (!p.taken) {
      queue.remove(p);
      return new IOException(
          "The audit line was not written in " + dir + ": " + why + " for the audit writer");
    }
    return new IOException(
        "The audit line was not confirmed written in "
            + dir
            + ": "
            + why
            + " for its batch (it may still be written)");
  }

  private static IOException failure(Throwable t) {
    return t instanceof IOException e
        ? new IOException(e.getMessage(), e)
        : new IOException("The audit trail failed: " + t, t);
  }

  /**
   * Leads: takes the directory's lock, the queued lines and the head's lock (both locks bounded by
   * {@code deadline}), writes the lines and settles each; then, as long as lines are queued, the
   * next batch, up to {@link #MAX_BATCHES_PER_LEADER}. Returns without a batch if the directory's
   * lock was not had in time.
   */
  private void lead(long deadline) {
    List<Pending> batch = List.of();
    try {
      if (!directoryLock.tryLock(Math.max(0, deadline - System.nanoTime()), NANOSECONDS)) {
        return;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    Throwable failure = null;
    try {
      // Taken now, so that whatever fails from here on fails these lines, not the next leader's.
      batch = take();
      if (!Files.isDirectory(dir)) {
        throw new IOException("The audit directory " + dir + " is missing");
      }
      try (FileChannel head =
          FileChannel.open(
              dir.resolve(HEAD),
              StandardOpenOption.CREATE,
              StandardOpenOption.READ,
              StandardOpenOption.WRITE)) {
        FileLock lock = lockHead(head, deadline);
        if (lock == null) {
          throw new IOException(
              "The audit lines were not written in "
                  + dir
                  + ": another process held the lock on "
                  + HEAD
                  + " for "
                  + Duration.ofNanos(maxWaitNanos).toMillis()
                  + " ms");
        }
        try (lock) {
          for (int round = 1; !batch.isEmpty(); round++) {
            write(head, batch);
            List<Pending> written = batch;
            batch = List.of();
            batch = release(written, round < MAX_BATCHES_PER_LEADER);
          }
        }
      }
    } catch (IOException | RuntimeException | Error e) {
      failure = e;
      if (e instanceof Error err) {
        settle(batch, err);
        throw err;
      }
    } finally {
      directoryLock.unlock();
      settle(batch, failure);
    }
  }

  /**
   * Settles a written batch, wakes its callers, and takes the next batch if {@code more} (empty if
   * nothing is queued). A leader that keeps the locks and goes on writing while it runs spares the
   * next batch the wait for another thread to be woken and scheduled, which on a busy machine is
   * most of a batch's time.
   */
  private List<Pending> release(List<Pending> written, boolean more) {
    settle(written, null);
    queueLock.lock();
    try {
      batchDone.signalAll();
      return more ? take() : List.of();
    } finally {
      queueLock.unlock();
    }
  }

  private static void settle(List<Pending> batch, Throwable failure) {
    for (Pending p : batch) {
      if (!p.done) {
        p.failure = failure;
        p.done = true;
      }
    }
  }

  /** The head's OS lock, polled until {@code deadline} (null then): another process may hold it. */
  private static FileLock lockHead(FileChannel head, long deadline) throws IOException {
    long pause = 50_000; // ns
    while (true) {
      FileLock lock = head.tryLock();
      if (lock != null) {
        return lock;
      }
      if (System.nanoTime() - deadline >= 0) {
        return null;
      }
      LockSupport.parkNanos(pause);
      if (Thread.interrupted()) {
        Thread.currentThread().interrupt();
        return null;
      }
      pause = Math.min(pause * 2, 2_000_000);
    }
  }

  /** Takes the next batch off the queue (the oldest lines first). */
  private List<Pending> take() {
    queueLock.lock();
    try {
      List<Pending> batch = new ArrayList<>(Math.min(queue.size(), maxBatchLines));
      long bytes = 0;
      while (!queue.isEmpty() && batch.size() < maxBatchLines) {
        Pending next = queue.peek();
        if (!batch.isEmpty() && bytes + next.event.length > MAX_BATCH_BYTES) {
          break;
        }
        queue.poll();
        next.taken = true;
        bytes += next.event.length;
        batch.add(next);
      }
      return batch;
    } finally {
      queueLock.unlock();
    }
  }

  /** The number of lines waiting for a batch (for tests that line callers up). */
  int queued() {
    queueLock.lock();
    try {
      return queue.size();
    } finally {
      queueLock.unlock();
    }
  }

  /**
   * Writes a batch under the locks: the head read and checked once; the lines chained on it and
   * written with one write per file (a file that reaches its size inside the batch is closed there,
   * with its digest, and the rest goes to the next); the head written back once per file.
   */
  private void write(FileChannel head, List<Pending> batch) throws IOException {
    if (batch.isEmpty()) {
      return;
    }
    Head h = Head.read(head, digestKey);
    LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    if (h.file() == null) {
      h = new Head(AuditFiles.name(1, today), 0, ZERO_HASH);
    } else if (!AuditFiles.day(h.file()).equals(today)) {
      h = rotate(head, h, today);
    }
    Path current = dir.resolve(h.file());
    long size = Files.exists(current) ? Files.size(current) : 0;
    Segment out = new Segment();
    long seq = h.seq();
    String hash = h.hash();
    for (Pending p : batch) {
      if (size + out.size() >= maxFileBytes && size + out.size() > 0) {
        h = new Head(h.file(), seq, hash);
        commit(head, out, h);
        h = rotate(head, h, today);
        out.reset();
        size = 0;
      }
      byte[] line = chained(seq + 1, hash, p.event);
      seq++;
      hash = AuditFiles.sha256Hex(line);
      out.write(line);
      out.write('\n');
    }
    commit(head, out, new Head(h.file(), seq, hash));
  }

  /**
   * Appends a segment of lines to the file {@code next} names with one write, then writes {@code
   * next} as the head; if either fails, the file is cut back to where the segment began (so that
   * the file never holds lines the head does not cover) and the failure thrown.
   */
  private void commit(FileChannel head, Segment lines, Head next) throws IOException {
    if (lines.size() == 0) {
      return;
    }
    try (FileChannel f =
        FileChannel.open(
            dir.resolve(next.file()),
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.APPEND)) {
      long before = f.size();
      try {
        ByteBuffer buf = lines.buffer();
        while (buf.hasRemaining()) {
          f.write(buf);
        }
        next.write(head, digestKey);
      } catch (IOException | RuntimeException e) {
        try {
          f.truncate(before);
        } catch (IOException | RuntimeException cut) {
          e.addSuppressed(cut);
        }
        throw e;
      }
    }
  }

  /** Closes the head's file (its digest) and names the next one in the head, written now. */
  private Head rotate(FileChannel head, Head h, LocalDate today) throws IOException {
    if (Files.exists(dir.resolve(h.file()))) {
      Digests.write(dir, h.file(), digestKey);
    }
    Head next = new Head(AuditFiles.name(AuditFiles.index(h.file()) + 1, today), h.seq(), h.hash());
    next.write(head, digestKey);
    return next;
  }

  /** A batch's bytes for one file, written from the buffer as they are. */
  private static final class Segment extends ByteArrayOutputStream {
    Segment() {
      super(8192);
    }

    ByteBuffer buffer() {
      return ByteBuffer.wrap(buf, 0, count);
    }
  }

  /** {"seq":N,"prev":"H", then the event's fields: the event's JSON with seq and prev put first. */
  private static byte[] chained(long seq, String prev, byte[] event) {
    byte[] start = ("{\"seq\":" + seq + ",\"prev\":\"" + prev + "\"").getBytes(UTF_8);
    boolean empty = event.length <= 2; // "{}"
    byte[] line = new byte[start.length + (empty ? 1 : event.length)];
    System.arraycopy(start, 0, line, 0, start.length);
    if (empty) {
      line[start.length] = '}';
    } else {
      line[start.length] = ',';
      System.arraycopy(event, 1, line, start.length + 1, event.length - 1);
    }
    return line;
  }

  /**
   * Throws if a line could not be appended now: the directory is missing, or the head or the
   * current file cannot be opened for writing (a read-only directory or file system). For a caller
   * that would rather not run an operation than run it unaudited; an append may still fail later (a
   * full disk), which {@link #append} reports.
   */
  public void checkWritable() throws IOException {
    directoryLock.lock();
    try {
      if (!Files.isDirectory(dir)) {
        throw new IOException("The audit directory " + dir + " is missing");
      }
      try (FileChannel head =
              FileChannel.open(
                  dir.resolve(HEAD),
                  StandardOpenOption.CREATE,
                  StandardOpenOption.READ,
                  StandardOpenOption.WRITE);
          FileLock lock = head.lock()) {
        Head h = Head.read(head, digestKey);
        Path current = h.file() == null ? null : dir.resolve(h.file());
        if (current != null && Files.exists(current)) {
          FileChannel.open(current, StandardOpenOption.WRITE, StandardOpenOption.APPEND).close();
        } else if (!Files.isWritable(dir)) {
          throw new IOException("The audit directory " + dir + " is not writable");
        }
      }
    } finally {
      directoryLock.unlock();
    }
  }

  /**
   * Closes the current file now (digest written), so everything so far can be verified up to its
   * last line; the next append starts a new file.
   */
  public void seal() throws IOException {
    directoryLock.lock();
    try {
      if (!Files.exists(dir.resolve(HEAD))) {
        return;
      }
      try (FileChannel head =
              FileChannel.open(
                  dir.resolve(HEAD), StandardOpenOption.READ, StandardOpenOption.WRITE);
          FileLock lock = head.lock()) {
        Head h = Head.read(head, digestKey);
        if (h.file() == null || Files.exists(dir.resolve(h.file() + Digests.SUFFIX))) {
          return;
        }
        Digests.write(dir, h.file(), digestKey);
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        new Head(AuditFiles.name(AuditFiles.index(h.file()) + 1, today), h.seq(), h.hash())
            .write(head, digestKey);
        head.force(true);
      }
    } finally {
      directoryLock.unlock();
    }
  }

  /** Syncs the current file and the head to disk (the file stays open for other writers). */
  @Override
  public void close() {
    directoryLock.lock();
    try {
      try {
        Path headPath = dir.resolve(HEAD);
        if (Files.exists(headPath)) {
          try (FileChannel head =
              FileChannel.open(headPath, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            Head h = Head.read(head, digestKey);
            head.force(true);
            if (h.file() != null && Files.exists(dir.resolve(h.file()))) {
              try (FileChannel f =
                  FileChannel.open(dir.resolve(h.file()), StandardOpenOption.WRITE)) {
                f.force(true);
              }
            }
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } finally {
        Arrays.fill(digestKey, (byte) 0);
      }
    } finally {
      directoryLock.unlock();
    }
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
