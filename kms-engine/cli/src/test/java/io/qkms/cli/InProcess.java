package io.qkms.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/** Runs the command line inside the test JVM: quick, for set-up steps and option details. */
final class InProcess {
  private InProcess() {}

  static CliProcess.Result qkms(Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status =
        Qkms.run(
            args,
            env,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new CliProcess.Result(
        status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** {@code qkms init --keystore ks} with the defaults; returns what it printed. */
  static String init(Path ks) {
    return ok(Map.of(), "init", "--keystore", ks.toString());
  }

  /**
   * {@code qkms serve --keystore ks --port 0 options...} with options it must refuse before it
   * serves (with valid ones it would serve until stopped).
   */
  static CliProcess.Result serveWithBadOptions(Path ks, String... options) {
    String[] args = new String[5 + options.length];
    System.arraycopy(
        new String[] {"serve", "--keystore", ks.toString(), "--port", "0"}, 0, args, 0, 5);
    System.arraycopy(options, 0, args, 5, options.length);
    return qkms(Map.of(), args);
  }

  /** {@code qkms create-access-key} for {@code principalArn}: the printed AccessKey object. */
  static JsonNode createAccessKey(Path keystore, String principalArn) {
    String out =
        ok(
            Map.of(),
            "create-access-key",
            "--keystore",
            keystore.toString(),
            "--principal",
            principalArn);
    try {
      return new ObjectMapper().readTree(out).get("AccessKey");
    } catch (JsonProcessingException e) {
      throw new AssertionError("create-access-key printed no JSON: " + out, e);
    }
  }

  /** {@code qkms create-key} with the defaults: the new key's ID. */
  static String createKey(Map<String, String> env) {
    return ok(env, "create-key", "--query", "KeyMetadata.KeyId", "--output", "text");
  }

  /**
   * {@code qkms encrypt} of {@code plaintextBase64} under {@code keyId} with the encryption context
   * {@code context} ({@code Name=Value}): the ciphertext blob, base64.
   */
  static String encrypt(
      Map<String, String> env, String keyId, String plaintextBase64, String context) {
    return ok(
        env,
        "encrypt",
        "--key-id",
        keyId,
        "--plaintext",
        plaintextBase64,
        "--encryption-context",
        context,
        "--query",
        "CiphertextBlob",
        "--output",
        "text");
  }

  /** Runs a command that must succeed; returns its stdout, stripped. */
  static String ok(Map<String, String> env, String... args) {
    CliProcess.Result r = qkms(env, args);
    if (r.status() != 0) {
      throw new AssertionError("Set-up command failed: " + String.join(" ", args) + "\n" + r);
    }
    return r.out();
  }
}
