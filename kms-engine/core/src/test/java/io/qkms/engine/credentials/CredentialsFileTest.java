package io.qkms.engine.credentials;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialsFileTest {
  @TempDir Path dir;

  @Test
  void write_isTheSharedCredentialsFormat_ownerOnly() throws IOException {
    Path file = dir.resolve("credentials");
    CredentialsFile.write(
        file, "qkms", "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    assertThat(
        Files.readString(file, StandardCharsets.UTF_8),
        equalTo(
            "[qkms]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"
                + "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n"));
    assertThat(
        PosixFilePermissions.toString(Files.getPosixFilePermissions(file)), equalTo("rw-------"));
  }

  @Test
  void write_replacesAnOldFile_andLeavesNoTemporaryFile() throws IOException {
    Path file = dir.resolve("credentials");
    CredentialsFile.write(file, "qkms", "AKIAAAAAAAAAAAAAAAAA", "a".repeat(40));
    CredentialsFile.write(file, "qkms", "AKIABBBBBBBBBBBBBBBB", "b".repeat(40));
    assertThat(Files.readString(file).contains("AKIABBBBBBBBBBBBBBBB"), equalTo(true));
    try (var files = Files.list(dir)) {
      assertThat(files.count(), equalTo(1L));
    }
  }

  @Test
  void write_profileThatWouldBreakTheFormat_isRejected() {
    assertThrows(
        IllegalArgumentException.class,
        () -> CredentialsFile.write(dir.resolve("c"), "qk]ms", "AKIAAAAAAAAAAAAAAAAA", "x"));
  }
}
