package io.qkms.engine.store.file;

import io.qkms.engine.KmsEngine;
import io.qkms.engine.api.model.CreateKeyRequest;
import io.qkms.engine.internal.store.AtomicFiles;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A second process writing to a store: creates keys through an engine and prints {@code created
 * <key id>} after each one is committed. Arguments: the store directory, how many keys to create
 * ({@code forever} until killed), and optionally a {@link AtomicFiles.Step}: once the first key is
 * committed, the next write stops at that step, prints {@code paused at <step>} and waits to be
 * killed there.
 */
final class StoreWriterMain {
  private static final Pattern CREATED =
      Pattern.compile("created ([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})");

  private StoreWriterMain() {}

  /**
   * The keys a writer reported committed, from its output. Found anywhere in a line: a JVM warning
   * without a line end (the JVM writes them to the same stdout) must not hide one.
   */
  static List<String> createdIds(List<String> lines) {
    List<String> ids = new ArrayList<>();
    for (String line : lines) {
      Matcher m = CREATED.matcher(line);
      while (m.find()) {
        ids.add(m.group(1));
      }
    }
    return ids;
  }

  private static void pauseIfAt(AtomicFiles.Step pauseAt, AtomicFiles.Step step) {
    if (step != pauseAt) {
      return;
    }
    System.out.println("paused at " + step);
    System.out.flush();
    try {
      Thread.sleep(Duration.ofMinutes(2).toMillis()); // the test kills this process here
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    System.exit(3); // never resume a write the test meant to interrupt
  }

  public static void main(String[] args) {
    Path dir = Path.of(args[0]);
    long count = args[1].equals("forever") ? Long.MAX_VALUE : Long.parseLong(args[1]);
    AtomicFiles.Step pauseAt = args.length > 2 ? AtomicFiles.Step.valueOf(args[2]) : null;
    try (FileKeyStore store = FileStores.openWithKeyFile(dir, FileKeyStore.Mode.READ_WRITE);
        KmsEngine engine = FileStores.engine(store, FileStores.clock(), Duration.ofSeconds(20))) {
      System.out.println("ready");
      System.out.flush();
      for (long i = 0; i < count; i++) {
        String id =
            engine
                .createKey(FileStores.root(), CreateKeyRequest.builder().build())
                .keyMetadata()
                .keyId();
        System.out.println("created " + id);
        System.out.flush();
        if (pauseAt != null) {
          AtomicFiles.onEachStep(step -> pauseIfAt(pauseAt, step));
        }
      }
    }
  }
}
