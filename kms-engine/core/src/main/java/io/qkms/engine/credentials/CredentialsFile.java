package io.qkms.engine.credentials;

import io.qkms.engine.internal.store.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Writes an AWS shared-credentials file (what {@code AWS_SHARED_CREDENTIALS_FILE} points the AWS
 * CLI, boto3 and the SDKs to) holding one profile, readable by its owner only. It is written as the
 * key store's files are ({@link AtomicFiles}: aside, fsynced, renamed into place, directory
 * fsynced), so a reader never sees half of it and a crash leaves the old file or the new one.
 */
public final class CredentialsFile {
  /** The file {@code qkms init} writes into the key store directory. */
  public static final String FILE_NAME = "credentials";

  /** The profile {@code qkms init} writes. */
  public static final String PROFILE = "qkms";

  private CredentialsFile() {}

  /**
   * Writes (or replaces) {@code file} with one profile; mode 0600 where POSIX permissions exist.
   */
  public static void write(Path file, String profile, String accessKeyId, String secretAccessKey)
      throws IOException {
    if (profile.isBlank() || profile.contains("]") || profile.contains("\n")) {
      throw new IllegalArgumentException("Invalid profile name: " + profile);
    }
    byte[] content =
        ("["
                + profile
                + "]\naws_access_key_id = "
                + accessKeyId
                + "\naws_secret_access_key = "
                + secretAccessKey
                + "\n")
            .getBytes(StandardCharsets.UTF_8);
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      AtomicFiles.write(file, content);
    } finally {
      Arrays.fill(content, (byte) 0);
    }
  }
}
