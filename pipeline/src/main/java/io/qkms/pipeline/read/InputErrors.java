package io.qkms.pipeline.read;

import java.io.IOException;

/** Failures to read an input file, said with the file's name. */
public final class InputErrors {
  private InputErrors() {}

  /**
   * An exception whose message names {@code path}: {@code e} itself if its message already does,
   * else a new one with {@code e} as suppressed (not as cause: the job reports the root cause's
   * message, which would then lose the file's name).
   */
  public static IOException naming(String path, Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message =
        root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
    if (e instanceof IOException io && root == e && message.startsWith(path)) {
      return io;
    }
    IOException named = new IOException(message.startsWith(path) ? message : path + ": " + message);
    named.addSuppressed(e);
    return named;
  }

  /**
   * A file that is not as it was when the run was planned (so its splits no longer fit it): {@code
   * <path> changed after the job was planned: <then> <unit> then, <now> now}.
   */
  public static IOException changed(String path, long then, long now, String unit) {
    return new IOException(
        path
            + " changed after the job was planned: "
            + then
            + " "
            + unit
            + " then, "
            + now
            + " now");
  }
}
