package io.qkms.pipeline.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.beam.sdk.io.FileSystem;
import org.apache.beam.sdk.io.FileSystemRegistrar;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.CreateOptions;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResolveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * A Beam file system for tests ({@code fullfs:///some/local/path}) over the local one, whose disk
 * fills up when a test says: once a chosen file has been written a given number of bytes, that
 * write and every later write of a byte anywhere fail with {@code IOException("No space left on
 * device")}, as on a full disk (creating, renaming and deleting files, and reading, still work),
 * until {@link #spaceBack()}. State is static: the job's workers and the test share one JVM.
 */
public final class FullDiskFileSystem extends FileSystem<FullDiskFileSystem.Id> {
  public static final String SCHEME = "fullfs";
  public static final String MESSAGE = "No space left on device";
  private static final String PREFIX = SCHEME + "://";

  private static Trigger trigger;
  private static int seen;
  private static boolean full;

  private record Trigger(Pattern name, int nth, long afterBytes) {}

  /** {@code fullfs:///path}: a local directory as this file system names it. */
  public static String url(Path local) {
    return PREFIX + local.toAbsolutePath();
  }

  /**
   * Fills the disk while the {@code nth} file (1 for the first) created from now on whose name
   * matches {@code name} is written: after its first {@code afterBytes} bytes.
   */
  public static synchronized void fillWhileWriting(String name, int nth, long afterBytes) {
    trigger = new Trigger(Pattern.compile(name), nth, afterBytes);
    seen = 0;
    full = false;
  }

  /** Space is back: every write succeeds, and no file fills the disk. */
  public static synchronized void spaceBack() {
    trigger = null;
    seen = 0;
    full = false;
  }

  /** Whether the disk has filled up since {@link #fillWhileWriting}. */
  public static synchronized boolean full() {
    return full;
  }

  /** The bytes the file may take before the disk is full, or -1 for no limit but a full disk. */
  private static synchronized long budgetOnCreate(String filename) {
    if (trigger != null && trigger.name().matcher(filename).matches() && ++seen == trigger.nth()) {
      return trigger.afterBytes();
    }
    return -1;
  }

  private static synchronized void check(ByteBuffer src) throws IOException {
    if (full && src.hasRemaining()) {
      throw new IOException(MESSAGE);
    }
  }

  private static synchronized void fill() {
    full = true;
  }

  /** A local resource under this file system's scheme. */
  public static final class Id implements ResourceId {
    private static final long serialVersionUID = 1L;
    private final ResourceId local;

    Id(ResourceId local) {
      this.local = local;
    }

    @Override
    public ResourceId resolve(String other, ResolveOptions options) {
      return new Id(local.resolve(other, options));
    }

    @Override
    public ResourceId getCurrentDirectory() {
      return new Id(local.getCurrentDirectory());
    }

    @Override
    public String getScheme() {
      return SCHEME;
    }

    @Override
    public String getFilename() {
      return local.getFilename();
    }

    @Override
    public boolean isDirectory() {
      return local.isDirectory();
    }

    @Override
    public String toString() {
      return PREFIX + local;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Id other && other.local.equals(local);
    }

    @Override
    public int hashCode() {
      return local.hashCode();
    }
  }

  /** Writes through to the local file until the disk is full. */
  private static final class Channel implements WritableByteChannel {
    private final WritableByteChannel local;
    private long budget;

    Channel(WritableByteChannel local, long budget) {
      this.local = local;
      this.budget = budget;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      check(src);
      if (budget >= 0 && src.remaining() > budget) {
        // What fits, then the disk is full.
        ByteBuffer fits = src.slice().limit((int) budget);
        while (fits.hasRemaining()) {
          local.write(fits);
        }
        src.position(src.position() + (int) budget);
        budget = 0;
        fill();
        throw new IOException(MESSAGE);
      }
      int n = local.write(src);
      if (budget >= 0) {
        budget -= n;
      }
      return n;
    }

    @Override
    public boolean isOpen() {
      return local.isOpen();
    }

    @Override
    public void close() throws IOException {
      local.close();
    }
  }

  private static String local(String spec) {
    if (!spec.startsWith(PREFIX)) {
      throw new IllegalArgumentException("not a " + PREFIX + " resource: " + spec);
    }
    return spec.substring(PREFIX.length());
  }

  private static List<ResourceId> local(Collection<Id> ids) {
    List<ResourceId> out = new ArrayList<>();
    ids.forEach(i -> out.add(i.local));
    return out;
  }

  @Override
  protected List<MatchResult> match(List<String> specs) throws IOException {
    List<String> locals = new ArrayList<>();
    specs.forEach(s -> locals.add(local(s)));
    List<MatchResult> out = new ArrayList<>();
    for (MatchResult m : FileSystems.match(locals)) {
      List<MatchResult.Metadata> found;
      try {
        found = m.metadata();
      } catch (IOException e) {
        out.add(MatchResult.create(m.status(), e));
        continue;
      }
      List<MatchResult.Metadata> ours = new ArrayList<>();
      for (MatchResult.Metadata f : found) {
        ours.add(
            MatchResult.Metadata.builder()
                .setResourceId(new Id(f.resourceId()))
                .setSizeBytes(f.sizeBytes())
                .setIsReadSeekEfficient(f.isReadSeekEfficient())
                .setLastModifiedMillis(f.lastModifiedMillis())
                .build());
      }
      out.add(MatchResult.create(m.status(), ours));
    }
    return out;
  }

  @Override
  protected WritableByteChannel create(Id id, CreateOptions options) throws IOException {
    long budget = budgetOnCreate(id.getFilename());
    return new Channel(FileSystems.create(id.local, options), budget);
  }

  @Override
  protected ReadableByteChannel open(Id id) throws IOException {
    return FileSystems.open(id.local);
  }

  @Override
  protected void copy(List<Id> from, List<Id> to) throws IOException {
    FileSystems.copy(local(from), local(to));
  }

  @Override
  protected void rename(List<Id> from, List<Id> to, MoveOptions... options) throws IOException {
    FileSystems.rename(local(from), local(to), options);
  }

  @Override
  protected void delete(Collection<Id> ids) throws IOException {
    FileSystems.delete(local(ids), MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
  }

  @Override
  protected Id matchNewResource(String spec, boolean isDirectory) {
    return new Id(FileSystems.matchNewResource(local(spec), isDirectory));
  }

  @Override
  protected String getScheme() {
    return SCHEME;
  }

  /** Found by Beam through {@code META-INF/services} in the test classes. */
  public static final class Registrar implements FileSystemRegistrar {
    @Override
    public Iterable<FileSystem<?>> fromOptions(PipelineOptions options) {
      return List.of(new FullDiskFileSystem());
    }
  }
}
