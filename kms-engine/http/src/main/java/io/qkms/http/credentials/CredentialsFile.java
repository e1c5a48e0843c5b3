package io.qkms.http.credentials;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.UUID;

/**
 * Writes an AWS shared-credentials file (what {@code AWS_SHARED_CREDENTIALS_FILE} points the AWS
 * CLI, boto3 and the SDKs to) holding one profile, readable by its owner only. The file is written
 * aside and renamed into place, so a reader never sees half of it.
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
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = dir.resolve(file.getFileName() + ".tmp-" + UUID.randomUUID());
    try {
      try (FileChannel ch =
          FileChannel.open(
              tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), ownerOnly())) {
        ByteBuffer buf = ByteBuffer.wrap(content);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      java.util.Arrays.fill(content, (byte) 0);
      Files.deleteIfExists(tmp);
    }
  }

  private static FileAttribute<?>[] ownerOnly() {
    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      return new FileAttribute<?>[] {
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))
      };
    }
    return new FileAttribute<?>[0];
  }
}
