package io.qkms.engine.audit;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.NANOSECONDS;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * <p>Writers (group commit): callers of {@link #append} queue their lines and park; the trail's
 * writer thread (started by the first append) takes the directory's lock (a lock per directory for
 * the threads of this JVM, then an OS file lock on {@code audit.head} for other processes), then
 * the queued lines (at most {@code maxBatchLines} lines and about {@value #MAX_BATCH_BYTES} bytes),
 * reads and checks the head (current file, last seq, last hash, HMAC'd) once, appends the whole
 * batch with one write, writes the head back once, and wakes the callers of the batch, and only
 * them. Lines queued while a batch is written form the next one, written under the same locks (at
 * most {@value #MAX_BATCHES_PER_LOCK} batches in a row). Every line reaches the operating system (a
 * {@code write}) before its {@link #append} returns, so it survives the writing process dying;
 * files and the head are synced to disk ({@code fsync}) when a file is closed and when the trail is
 * closed, not per line; the current file also in the background every {@link #SYNC_AHEAD_BYTES}. If
 * any part of a batch fails, every {@link #append} of that batch throws. A caller waits at most
 * {@code maxWait} (for the locks and for its batch) and then throws: a line still queued is
 * dropped; for one already in a batch the writer's own bounded waits decide, and the caller waits
 * for that up to {@link #TAKEN_GRACE} more (the trail may hold a line for a call that failed, never
 * lack one for a call that did not).
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

  /** The writer writes at most this many batches in a row under the locks. */
  static final int MAX_BATCHES_PER_LOCK = 8;

  /**
   * Once this many bytes were written to the current file since it was last synced, a thread of the
   * trail's own syncs it in the background: closing a full file syncs it under the locks, while
   * every call waits, and a file synced as it grows leaves that little to do.
   */
  static final long SYNC_AHEAD_BYTES = 4L << 20;

  /** A caller of {@link #append} waits at most this long by default, then fails. */
  static final Duration DEFAULT_MAX_WAIT = Duration.ofSeconds(10);

  private static final Logger LOG = LoggerFactory.getLogger(AuditTrail.class);

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

  /** A caller whose line is already being written waits at most this much past its deadline. */
  static final Duration TAKEN_GRACE = Duration.ofSeconds(1);

  // The lines waiting for the writer, and the writer: one thread per trail, started by the first
  // append, stopped by close.
  private final ReentrantLock queueLock = new ReentrantLock();
  private final Condition linesQueued = queueLock.newCondition();
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private Thread writer;
  private boolean closing;
  // Fails the lines of callers that do not wait (appends with a callback) at their deadlines;
  // started by the first such append. The writer's batch, for it to see.
  private ScheduledExecutorService deadlines;
  private volatile List<Pending> writing = List.of();

  /** Set by close (under the directory's lock) when it erases the digest key. */
  private volatile boolean keyErased;

  // The writer's own state (used by its thread only, and by close once it has stopped): the head
  // as last written or checked, with its bytes; the current file, kept open between batches.
  private final ByteBuffer headBuffer = ByteBuffer.allocate(4096);
  private final MessageDigest lineDigest = AuditFiles.sha256();
  private Head headSeen;
  private byte[] headBytes;
  private FileChannel headFile;
  private Object headKey;
  private FileChannel appending;
  private String appendingName;
  private Object appendingKey;
  private long appendingSize;
  // The digest of the open file so far, for files this writer began: its SHA-256 state and lines,
  // valid while the file is as long as what was hashed (-1: not known; read the file to close it).
  private MessageDigest fileDigest;
  private long fileHashed = -1;
  private long fileLines;
  // Bytes written to the current file since its last sync; the background sync (one at a time).
  private long unsyncedBytes;
  private ExecutorService syncer;
  private final AtomicBoolean syncing = new AtomicBoolean();
  private final AtomicLong syncsAhead = new AtomicLong();
  private final AtomicReference<IOException> syncFailure = new AtomicReference<>();
  // The last file name whose day was asked for, and that day.
  private String dayFile;
  private LocalDate dayOfFile;

  /**
   * One caller's line: the event's JSON, who waits for it until when (a parked thread, or a
   * callback to run), and what became of it.
   */
  private static final class Pending {
    final byte[] event;
    final Thread caller;
    final Consumer<IOException> then;
    final long deadline;
    volatile boolean taken;
    volatile boolean done;
    volatile Throwable failure;
    private final AtomicBoolean settled = new AtomicBoolean();

    Pending(byte[] event, Thread caller, Consumer<IOException> then, long deadline) {
      this.event = event;
      this.caller = caller;
      this.then = then;
      this.deadline = deadline;
    }

    /** Settles the line once (a later settling is ignored) and wakes or calls its caller. */
    void settle(Throwable why) {
      if (!settled.compareAndSet(false, true)) {
        return;
      }
      failure = why;
      done = true;
      if (then == null) {
        LockSupport.unpark(caller);
        return;
      }
      try {
        then.accept(why == null ? null : failure(why));
      } catch (RuntimeException e) {
        // The callback's own fault must not stop the writer or the other lines of the batch.
        LOG.error("An audit callback failed", e);
      }
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
    Pending p =
        new Pending(
            serialized(event), Thread.currentThread(), null, System.nanoTime() + maxWaitNanos);
    enqueue(p);
    await(p);
  }

  /**
   * The event's JSON, serialized by the caller's thread so that the writer only chains and writes;
   * refuses an event that carries the fields the chain puts first.
   */
  private static byte[] serialized(ObjectNode event) throws IOException {
    if (event.has("seq") || event.has("prev")) {
      throw new IllegalArgumentException("An audit event must not carry seq or prev");
    }
    return JSON.writeValueAsBytes(event);
  }

  /**
   * Appends one event without waiting: {@code then} runs once, with null when the line is written
   * (the guarantee of {@link #append}: it reached the operating system), or with the reason it was
   * not (or not within the wait bound; a line already in a batch may still be written, as with
   * {@link #append}). It runs on the trail's writer thread, or on a thread of the trail's that
   * watches deadlines, or on the calling thread when the event cannot be queued; it must not block,
   * since the lines after it wait for it.
   */
  public void append(ObjectNode event, Consumer<IOException> then) {
    Pending p;
    try {
      p = new Pending(serialized(event), null, then, System.nanoTime() + maxWaitNanos);
    } catch (IOException e) {
      then.accept(e);
      return;
    }
    try {
      enqueue(p);
    } catch (IOException e) {
      p.settle(e);
    }
  }

  /** Queues a line for the writer (started by the first line), or throws if the trail is closed. */
  private void enqueue(Pending p) throws IOException {
    queueLock.lock();
    try {
      if (closing) {
        throw new IOException("The audit trail in " + dir + " is closed");
      }
      queue.add(p);
      if (p.then != null && deadlines == null) {
        deadlines =
            Executors.newSingleThreadScheduledExecutor(daemonThreads("qkms-audit-deadlines"));
        long every = Math.max(10, Math.min(250, Duration.ofNanos(maxWaitNanos).toMillis() / 4));
        deadlines.scheduleWithFixedDelay(this::failOverdue, every, every, MILLISECONDS);
      }
      if (writer == null) {
        writer = new Thread(this::writeWhileOpen, "qkms-audit-writer");
        writer.setDaemon(true);
        writer.start();
      } else if (queue.size() == 1) {
        linesQueued.signal();
      }
    } finally {
      queueLock.unlock();
    }
  }

  /**
   * Fails the lines of callers that do not wait, as a waiting caller gives up: a line still queued
   * at its deadline is dropped; one in the writer's batch is failed {@link #TAKEN_GRACE} later (the
   * writer bounds its own waits by the same deadline, so this is for a writer stuck in the
   * operating system).
   */
  private void failOverdue() {
    long now = System.nanoTime();
    List<Pending> overdue = new ArrayList<>();
    queueLock.lock();
    try {
      // Lines are queued in deadline order (one maxWait for all).
      while (!queue.isEmpty() && now - queue.peek().deadline >= 0) {
        overdue.add(queue.poll());
      }
    } finally {
      queueLock.unlock();
    }
    for (Pending p : overdue) {
      p.settle(notWritten(waited()));
    }
    for (Pending p : writing) {
      if (p.then != null && now - (p.deadline + TAKEN_GRACE.toNanos()) >= 0) {
        p.settle(notConfirmed(waited()));
      }
    }
  }

  private String waited() {
    return "it waited " + Duration.ofNanos(maxWaitNanos).toMillis() + " ms";
  }

  /** A line dropped from the queue before the writer took it. */
  private IOException notWritten(String why) {
    return new IOException(
        "The audit line was not written in " + dir + ": " + why + " for the audit writer");
  }

  /** A line the writer took but did not settle in time. */
  private IOException notConfirmed(String why) {
    return new IOException(
        "The audit line was not confirmed written in "
            + dir
            + ": "
            + why
            + " for its batch (it may still be written)");
  }

  /**
   * Parks until the writer settles {@code p}, or its deadline passes; a line the writer has already
   * taken gets up to {@link #TAKEN_GRACE} more, since the writer bounds its own waits by the same
   * deadline and then fails the batch with the reason.
   */
  private void await(Pending p) throws IOException {
    long graceEnd = p.deadline + TAKEN_GRACE.toNanos();
    while (!p.done) {
      if (Thread.interrupted()) {
        Thread.currentThread().interrupt();
        IOException e = gaveUp(p, "it was interrupted");
        if (e != null) {
          throw e;
        }
        continue;
      }
      long now = System.nanoTime();
      if (now - p.deadline < 0) {
        LockSupport.parkNanos(this, p.deadline - now);
      } else if (p.taken && now - graceEnd < 0) {
        LockSupport.parkNanos(this, graceEnd - now);
      } else {
        IOException e = gaveUp(p, waited());
        if (e != null) {
          throw e;
        }
      }
    }
    if (p.failure != null) {
      throw failure(p.failure);
    }
  }

  /** The trail's own threads: daemons, so that a trail never keeps a JVM from exiting. */
  private static ThreadFactory daemonThreads(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  /** Stops the deadline thread (once the writer has stopped: nothing is queued). */
  private void stopDeadlines() {
    ScheduledExecutorService d;
    queueLock.lock();
    try {
      d = deadlines;
    } finally {
      queueLock.unlock();
    }
    if (d != null) {
      d.shutdownNow();
    }
  }

  /** A caller that stops waiting for its line: the reason, or null if the line was settled. */
  private IOException gaveUp(Pending p, String why) {
    queueLock.lock();
    try {
      if (p.done) {
        return null;
      }
      if (!p.taken) {
        queue.remove(p);
        return notWritten(why);
      }
      return notConfirmed(why);
    } finally {
      queueLock.unlock();
    }
  }

  private static IOException failure(Throwable t) {
    return t instanceof IOException e
        ? new IOException(e.getMessage(), e)
        : new IOException("The audit trail failed: " + t, t);
  }

  /**
   * The writer thread: waits for lines and writes them, until the trail is closed and nothing is
   * queued. One thread writing lets callers park until their own line is settled, and only they are
   * woken; callers taking turns as the writer made every batch wake every waiting caller.
   */
  private void writeWhileOpen() {
    while (true) {
      queueLock.lock();
      try {
        while (queue.isEmpty()) {
          if (closing) {
            return;
          }
          linesQueued.awaitUninterruptibly();
        }
      } finally {
        queueLock.unlock();
      }
      writeQueued();
    }
  }

  /**
   * Takes the directory's lock (polled, so that lines whose callers gave up meanwhile are never
   * written), the queued lines and the head's lock (bounded by the oldest line's deadline), writes
   * the lines and settles each; then, as long as lines are queued, the next batch, up to {@link
   * #MAX_BATCHES_PER_LOCK}, before it lets other writers of the directory have the locks.
   */
  private void writeQueued() {
    while (!tryDirectoryLock()) {
      if (queued() == 0) {
        return;
      }
    }
    List<Pending> batch = List.of();
    Throwable failure = null;
    try {
      // Taken now, so that whatever fails from here on fails these lines, not the next batch's.
      batch = take();
      writing = batch;
      if (batch.isEmpty()) {
        return;
      }
      if (keyErased) { // a writer still busy when close stopped waiting for it
        throw new IOException("The audit trail in " + dir + " is closed");
      }
      FileChannel head = headChannel();
      FileLock lock = lockHead(head, batch.get(0).deadline);
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
          settle(written, null);
          if (round < MAX_BATCHES_PER_LOCK) {
            batch = take();
          }
          writing = batch;
        }
      }
    } catch (Throwable t) { // every failure fails the lines it took; the writer goes on
      failure = t;
    } finally {
      directoryLock.unlock();
      settle(batch, failure);
      writing = List.of();
    }
  }

  private boolean tryDirectoryLock() {
    try {
      return directoryLock.tryLock(50, MILLISECONDS);
    } catch (InterruptedException e) {
      return false; // nobody interrupts the writer; polled again
    }
  }

  /** Settles lines (written if {@code failure} is null) and wakes or calls their callers. */
  private static void settle(List<Pending> batch, Throwable failure) {
    for (Pending p : batch) {
      p.settle(failure);
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
    Head h = readHead(head);
    LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    if (h.file() == null) {
      h = new Head(AuditFiles.name(1, today), 0, ZERO_HASH);
    } else if (!dayOf(h.file()).equals(today)) {
      h = rotate(head, h, today);
    }
    appendChannel(h.file());
    long size = appendingSize;
    Segment out = new Segment(batch);
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
      seq++;
      hash = out.chain(seq, hash, p.event, lineDigest);
    }
    commit(head, out, new Head(h.file(), seq, hash));
  }

  /** The day in a file's name, parsed once per file rather than once per batch. */
  private LocalDate dayOf(String file) {
    if (!file.equals(dayFile)) {
      dayOfFile = AuditFiles.day(file);
      dayFile = file;
    }
    return dayOfFile;
  }

  /**
   * The head as {@link Head#read} gives it; bytes equal to those this writer last wrote or checked
   * are not parsed and checked again (they name the same head, HMAC included).
   */
  private Head readHead(FileChannel head) throws IOException {
    headBuffer.clear();
    int n = Math.max(0, head.read(headBuffer, 0)); // a file's bytes come in one read

    if (n == 0) {
      return new Head(null, 0, ZERO_HASH);
    }
    byte[] bytes = headBuffer.array();
    if (headBytes != null && Arrays.equals(bytes, 0, n, headBytes, 0, headBytes.length)) {
      return headSeen;
    }
    Head h = Head.parse(bytes, n, digestKey);
    remember(h, Arrays.copyOf(bytes, n));
    return h;
  }

  private void writeHead(FileChannel head, Head next) throws IOException {
    remember(null, null); // until it is written whole
    remember(next, next.write(head, digestKey));
  }

  private void remember(Head h, byte[] bytes) {
    headSeen = h;
    headBytes = bytes;
  }

  /**
   * {@code audit.head} open for reading and writing: the channel kept open since the last batch if
   * the path still leads to its file (checked each time: a head replaced or removed meanwhile is
   * opened, or created, again), else newly opened. Throws if the directory is missing.
   */
  private FileChannel headChannel() throws IOException {
    Path path = dir.resolve(HEAD);
    BasicFileAttributes a = attributes(path);
    if (a == null && !Files.isDirectory(dir)) {
      throw new IOException("The audit directory " + dir + " is missing");
    }
    if (headFile != null && a != null && a.fileKey() != null && a.fileKey().equals(headKey)) {
      return headFile;
    }
    closeHead();
    headFile =
        FileChannel.open(
            path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    headKey = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
    return headFile;
  }

  /**
   * The file {@code name} open for appending, and its size in {@code appendingSize}: the channel
   * kept open since the last batch if the path still leads to its file (as for the head), else
   * newly opened (and created).
   */
  private FileChannel appendChannel(String name) throws IOException {
    Path path = dir.resolve(name);
    if (appending != null && name.equals(appendingName)) {
      BasicFileAttributes a = attributes(path);
      if (a != null && a.fileKey() != null && a.fileKey().equals(appendingKey)) {
        appendingSize = a.size();
        return appending;
      }
    }
    closeAppending();
    FileChannel f =
        FileChannel.open(
            path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    appending = f;
    appendingName = name;
    BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
    appendingKey = a.fileKey();
    appendingSize = a.size();
    return f;
  }

  private static BasicFileAttributes attributes(Path path) throws IOException {
    try {
      return Files.readAttributes(path, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  private void closeHead() {
    FileChannel c = headFile;
    headFile = null;
    headKey = null;
    remember(null, null);
    closeQuietly(c);
  }

  private void closeAppending() {
    FileChannel f = appending;
    appending = null;
    appendingName = null;
    appendingKey = null;
    fileHashed = -1;
    unsyncedBytes = 0;
    closeQuietly(f);
  }

  private static void closeQuietly(FileChannel c) {
    if (c != null) {
      try {
        c.close();
      } catch (IOException e) {
        // nothing was left to write: every batch's write has returned
      }
    }
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
    // The batch checked the file it began in (write); a file begun by a rotation is opened here.
    FileChannel f =
        appending != null && next.file().equals(appendingName)
            ? appending
            : appendChannel(next.file());
    long before = appendingSize;
    try {
      IOException unsynced = syncFailure.getAndSet(null);
      if (unsynced != null) {
        throw unsynced;
      }
      ByteBuffer buf = lines.buffer();
      while (buf.hasRemaining()) {
        f.write(buf);
      }
      appendingSize = before + lines.size();
      unsyncedBytes += lines.size();
      if (unsyncedBytes >= SYNC_AHEAD_BYTES) {
        syncAhead(f, next.file());
      }
      if (before == 0) { // a file this writer began: its digest is kept as it grows
        fileDigest = fileDigest == null ? AuditFiles.sha256() : fileDigest;
        fileDigest.reset();
        fileHashed = 0;
        fileLines = 0;
      }
      if (fileHashed == before) {
        fileDigest.update(lines.bytes(), 0, lines.size());
        fileHashed = appendingSize;
        fileLines += lines.lines();
      } else {
        fileHashed = -1;
      }
      writeHead(head, next);
    } catch (IOException | RuntimeException e) {
      try {
        f.truncate(before);
      } catch (IOException | RuntimeException cut) {
        e.addSuppressed(cut);
      }
      closeAppending();
      throw e;
    }
  }

  /**
   * Syncs {@code f} on the trail's sync thread, unless a sync is still running; not waited for. A
   * sync that finds the file closed by a rotation leaves the work to the sync that closing does. A
   * sync that fails fails the next batch, as a failing sync at closing did: the OS reports a failed
   * write-back once, so a later sync of the file may succeed though lines were lost.
   */
  void syncAhead(FileChannel f, String name) {
    if (!syncing.compareAndSet(false, true)) {
      return;
    }
    unsyncedBytes = 0;
    if (syncer == null) {
      syncer = Executors.newSingleThreadExecutor(daemonThreads("qkms-audit-sync"));
    }
    try {
      syncer.execute(
          () -> {
            try {
              f.force(false);
              syncsAhead.incrementAndGet();
            } catch (ClosedChannelException closed) {
              // closed by a rotation, whose own sync covers the file
            } catch (IOException e) {
              syncFailure.set(
                  new IOException(
                      "The audit file " + name + " could not be synced: " + e.getMessage(), e));
            } finally {
              syncing.set(false);
            }
          });
    } catch (RejectedExecutionException closed) {
      syncing.set(false);
    }
  }

  /** Background syncs completed (for tests). */
  long syncsAhead() {
    return syncsAhead.get();
  }

  /**
   * The digest of the file {@code h} names from what this writer hashed as it wrote it, if that is
   * all the file holds (one stat checks it is the same file, as long as what was hashed); else
   * null, and the file is read. Spares closing a full file the read of all of it under the locks,
   * which stalled every call for most of a second.
   */
  private Digests.Summary knownSummary(Head h) throws IOException {
    if (fileHashed <= 0 || appending == null || !h.file().equals(appendingName)) {
      return null;
    }
    BasicFileAttributes a = attributes(dir.resolve(h.file()));
    if (a == null || !appendingKey.equals(a.fileKey()) || a.size() != fileHashed) {
      return null;
    }
    // The head's hash is the last line's: the chain's hash of a line is its SHA-256.
    return new Digests.Summary(HexFormat.of().formatHex(fileDigest.digest()), fileLines, h.hash());
  }

  /** Closes the head's file (its digest) and names the next one in the head, written now. */
  private Head rotate(FileChannel head, Head h, LocalDate today) throws IOException {
    Digests.Summary known = knownSummary(h);
    closeAppending();
    if (known != null) {
      Digests.write(dir, h.file(), digestKey, known);
    } else if (Files.exists(dir.resolve(h.file()))) {
      Digests.write(dir, h.file(), digestKey);
    }
    Head next = new Head(AuditFiles.name(AuditFiles.index(h.file()) + 1, today), h.seq(), h.hash());
    writeHead(head, next);
    return next;
  }

  /** A batch's bytes for one file, written from the buffer as they are. */
  private static final class Segment {
    private byte[] buf;
    private int count;
    private int lines;

    /** Sized for the batch's lines (each gains seq, prev and a newline). */
    Segment(List<Pending> batch) {
      long bytes = 0;
      for (Pending p : batch) {
        bytes += p.event.length + 112L;
      }
      buf = new byte[(int) Math.min(bytes, MAX_BATCH_BYTES + 112L * DEFAULT_MAX_BATCH_LINES)];
    }

    int size() {
      return count;
    }

    void reset() {
      count = 0;
      lines = 0;
    }

    int lines() {
      return lines;
    }

    byte[] bytes() {
      return buf;
    }

    ByteBuffer buffer() {
      return ByteBuffer.wrap(buf, 0, count);
    }

    /**
     * Appends one line, {"seq":N,"prev":"H", then the event's fields (the event's JSON with seq and
     * prev put first), and a newline; returns the line's hash (hex SHA-256, newline left out).
     */
    String chain(long seq, String prev, byte[] event, MessageDigest digest) {
      String start = "{\"seq\":" + seq + ",\"prev\":\"" + prev + "\"";
      ensure(start.length() + event.length + 1);
      int from = count;
      for (int i = 0; i < start.length(); i++) {
        buf[count++] = (byte) start.charAt(i); // ASCII
      }
      if (event.length <= 2) { // "{}"
        buf[count++] = '}';
      } else {
        buf[count++] = ',';
        System.arraycopy(event, 1, buf, count, event.length - 1);
        count += event.length - 1;
      }
      digest.update(buf, from, count - from);
      buf[count++] = '\n';
      lines++;
      return HexFormat.of().formatHex(digest.digest());
    }

    private void ensure(int more) {
      if (buf.length - count < more) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, count + more));
      }
    }
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

  /**
   * Lets the writer write what is queued and stop (appends from now on fail), then syncs the
   * current file and the head to disk (the file stays open for other writers).
   */
  @Override
  public void close() {
    Thread w;
    queueLock.lock();
    try {
      closing = true;
      linesQueued.signalAll();
      w = writer;
    } finally {
      queueLock.unlock();
    }
    if (w != null) {
      try {
        w.join(Duration.ofNanos(maxWaitNanos).plus(TAKEN_GRACE).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (!w.isAlive()) {
        stopDeadlines();
        closeAppending();
        closeHead();
        if (syncer != null) {
          syncer.shutdown(); // a sync running finishes, and its failure is reported below
          try {
            syncer.awaitTermination(maxWaitNanos, NANOSECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      }
    }
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
        IOException unsynced = syncFailure.getAndSet(null); // not reported by a batch yet
        if (unsynced != null) {
          throw unsynced;
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } finally {
        keyErased = true;
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
