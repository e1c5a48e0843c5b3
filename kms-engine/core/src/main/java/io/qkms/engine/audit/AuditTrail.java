package io.qkms.engine.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

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
 * <p>Writers: an append takes an exclusive lock on {@code audit.head} (an OS file lock, so other
 * processes wait; a JVM-wide monitor per directory for threads), reads the head (current file, next
 * seq, last hash, HMAC'd), appends the line, writes the head back, and releases. The line reaches
 * the operating system (a {@code write}) before {@link #append} returns, so it survives the writing
 * process dying; files and the head are synced to disk ({@code fsync}) when a file is closed and
 * when the trail is closed, not per line.
 */
public final class AuditTrail implements AutoCloseable {
  static final String HEAD = "audit.head";
  static final String ZERO_HASH = "0".repeat(64);
  static final ObjectMapper JSON = new ObjectMapper();

  /** Files are closed at this size by default. */
  public static final long DEFAULT_MAX_FILE_BYTES = 64L * 1024 * 1024;

  private static final ConcurrentHashMap<Path, Object> MONITORS = new ConcurrentHashMap<>();

  private final Path dir;
  private final byte[] digestKey;
  private final Clock clock;
  private final long maxFileBytes;
  private final Object monitor;

  private AuditTrail(Path dir, byte[] digestKey, Clock clock, long maxFileBytes) {
    this.dir = dir;
    this.digestKey = digestKey.clone();
    this.clock = clock;
    this.maxFileBytes = maxFileBytes;
    this.monitor = MONITORS.computeIfAbsent(dir, d -> new Object());
  }

  /**
   * A trail in {@code dir} (created if missing).
   *
   * @param digestKey the key that signs digests and the head (see FileKeyStore#auditDigestKey)
   */
  public static AuditTrail open(Path dir, byte[] digestKey, Clock clock, long maxFileBytes)
      throws IOException {
    Path abs = dir.toAbsolutePath().normalize();
    Files.createDirectories(abs);
    return new AuditTrail(abs, digestKey, clock, maxFileBytes);
  }

  public Path directory() {
    return dir;
  }

  /** The trail's files in {@code dir}, oldest first (digests and the head left out). */
  public static List<Path> files(Path dir) throws IOException {
    return AuditFiles.list(dir);
  }

  /**
   * Appends one event (its fields follow {@code seq} and {@code prev}). Throws if the line could
   * not be written: the caller decides whether to serve unaudited.
   */
  public void append(ObjectNode event) throws IOException {
    synchronized (monitor) {
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
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        if (h.file() == null) {
          h = new Head(AuditFiles.name(1, today), 0, ZERO_HASH);
        } else if (!AuditFiles.day(h.file()).equals(today)
            || (Files.exists(dir.resolve(h.file()))
                && Files.size(dir.resolve(h.file())) >= maxFileBytes)) {
          Digests.write(dir, h.file(), digestKey);
          h = new Head(AuditFiles.name(AuditFiles.index(h.file()) + 1, today), h.seq(), h.hash());
        }
        ObjectNode line = JSON.createObjectNode();
        line.put("seq", h.seq() + 1);
        line.put("prev", h.hash());
        line.setAll(event);
        byte[] bytes = JSON.writeValueAsBytes(line);
        String hash = AuditFiles.sha256Hex(bytes);
        ByteBuffer out = ByteBuffer.allocate(bytes.length + 1).put(bytes).put((byte) '\n').flip();
        try (FileChannel file =
            FileChannel.open(
                dir.resolve(h.file()),
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
          while (out.hasRemaining()) {
            file.write(out);
          }
        }
        new Head(h.file(), h.seq() + 1, hash).write(head, digestKey);
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
    synchronized (monitor) {
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
    }
  }

  /**
   * Closes the current file now (digest written), so everything so far can be verified up to its
   * last line; the next append starts a new file.
   */
  public void seal() throws IOException {
    synchronized (monitor) {
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
    }
  }

  /** Syncs the current file and the head to disk (the file stays open for other writers). */
  @Override
  public void close() {
    synchronized (monitor) {
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
    }
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
