package io.qkms.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Runs the usual commands once, in one JVM, against a throw-away key store, so that {@code
 * scripts/qkms} can record the classes they load into a CDS archive ({@code
 * -XX:ArchiveClassesAtExit}) right after building. Later runs map those classes instead of loading
 * them, which is most of the command line's start-up time. Not a user command.
 */
final class StartupTraining {
  private StartupTraining() {}

  public static void main(String[] args) throws IOException {
    Path dir = Files.createTempDirectory("qkms-training-");
    try {
      String ks = dir.resolve("ks").toString();
      run("init", "--keystore", ks, "--region", "us-east-1", "--region", "eu-west-1");
      String a =
          run("create-key", "--keystore", ks, "--description", "a", "--query", "KeyMetadata");
      String keyA = a.replaceAll("(?s).*\"KeyId\": \"([^\"]+)\".*", "$1").strip();
      String b = run("create-key", "--keystore", ks, "--output", "text", "--query", "KeyMetadata");
      String keyB = b.split("\t")[1];
      run("create-alias", "--keystore", ks, "--alias-name", "alias/a", "--target-key-id", keyA);
      String blob =
          run(
                  "encrypt",
                  "--keystore",
                  ks,
                  "--key-id",
                  "alias/a",
                  "--plaintext",
                  "aGVsbG8=",
                  "--encryption-context",
                  "k=v",
                  "--query",
                  "CiphertextBlob",
                  "--output",
                  "text")
              .strip();
      run(
          "re-encrypt",
          "--keystore",
          ks,
          "--cli-input-json",
          "{\"CiphertextBlob\":\""
              + blob
              + "\",\"DestinationKeyId\":\""
              + keyB
              + "\",\"SourceEncryptionContext\":{\"k\":\"v\"}}");
      run("decrypt", "--keystore", ks, "--ciphertext-blob", blob, "--encryption-context", "k=v");
      run("decrypt", "--keystore", ks, "--ciphertext-blob", blob); // an API error
      run("describe-key", "--keystore", ks, "--key-id", keyA);
      run("list-keys", "--keystore", ks);
      run("list-aliases", "--keystore", ks);
      run("disable-key", "--keystore", ks, "--key-id", keyA);
      run("encrypt", "--keystore", ks, "--key-id", keyA); // a usage error
      run("encrypt", "--help");
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** Runs one command line in this JVM; returns what it printed on stdout. */
  private static String run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Qkms.run(
        args,
        Map.of(),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8));
    return out.toString(StandardCharsets.UTF_8);
  }
}
