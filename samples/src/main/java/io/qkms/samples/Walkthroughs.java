package io.qkms.samples;

import io.qkms.engine.keys.Region;
import io.qkms.pipeline.ReKeyJob;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The walk-throughs of {@code samples/README.md}, as code: {@code scripts/samples walkthrough
 * <name>} runs them, and the tests run the very same steps. Each starts from fresh samples, prints
 * every step as the command a person would type, runs it, and returns what happened.
 */
public final class Walkthroughs {
  /** The outcomes of a walk-through's job runs and checks, in order. */
  public record Result(
      List<ReKeyJob.Outcome> runs, List<Samples.Verified> checks, List<String> deadLetters) {}

  /** The walk-throughs, by name. */
  public static final List<String> NAMES =
      List.of("rekey", "rotation", "cross-region", "bad-records", "parquet", "envelope");

  private final Samples samples;
  private final PrintStream out;
  private final List<String> runnerArgs;

  public Walkthroughs(Samples samples, PrintStream out, List<String> runnerArgs) {
    this.samples = samples;
    this.out = out;
    this.runnerArgs = List.copyOf(runnerArgs);
  }

  public Result run(String name) throws IOException {
    return switch (name) {
      case "rekey" -> rekey();
      case "rotation" -> rotation();
      case "cross-region" -> crossRegion();
      case "bad-records" -> badRecords();
      case "parquet" -> parquet();
      case "envelope" -> envelope();
      default ->
          throw new IllegalArgumentException(
              "Unknown walk-through '" + name + "': " + String.join(", ", NAMES));
    };
  }

  /** (a) Re-key a data set from an old key to a new one. */
  public Result rekey() throws IOException {
    fresh();
    Path run = samples.work().resolve("runs/a-rekey");
    ReKeyJob.Outcome o =
        job(
            "Re-key customers.jsonl from " + Samples.OLD_KEY + " to " + Samples.NEW_KEY,
            "--input=" + samples.data("customers.jsonl"),
            run,
            samples.jobOptions(Samples.NEW_KEY));
    Samples.Verified v = verify(run, Samples.NEW_KEY, Samples.US_EAST_1);
    return new Result(List.of(o), List.of(v), List.of());
  }

  /**
   * (b) Scheduled rotation: RotateKeyOnDemand, then a --skipIfCurrent run to the same key moves
   * everything to the new material; a second run over its output changes nothing.
   */
  public Result rotation() throws IOException {
    fresh();
    step(
        "Rotate " + Samples.ROTATING_KEY + " (new key material)",
        "scripts/samples rotate " + Samples.ROTATING_KEY);
    samples.rotate(Samples.ROTATING_KEY);
    Path first = samples.work().resolve("runs/b-rotation-1");
    Path second = samples.work().resolve("runs/b-rotation-2");
    ReKeyJob.Outcome o1 =
        job(
            "Move rotation.avro to the key's newest material",
            "--input=" + samples.data("rotation.avro"),
            first,
            samples.jobOptions(Samples.ROTATING_KEY),
            "--skipIfCurrent");
    Samples.Verified v = verify(first, Samples.ROTATING_KEY, Samples.US_EAST_1);
    ReKeyJob.Outcome o2 =
        job(
            "Run again over that output: every ciphertext is already current",
            "--input=" + first,
            second,
            samples.jobOptions(Samples.ROTATING_KEY),
            "--skipIfCurrent");
    return new Result(List.of(o1, o2), List.of(v), List.of());
  }

  /**
   * (c) Cross-region migration: data encrypted in us-east-1 under a multi-Region key is
   * re-encrypted in eu-west-1, through the key's replica there, to a key of eu-west-1.
   */
  public Result crossRegion() throws IOException {
    fresh();
    Path run = samples.work().resolve("runs/c-cross-region");
    ReKeyJob.Outcome o =
        job(
            "Re-encrypt orders-us.avro in eu-west-1 through the replica of "
                + Samples.MRK
                + " to "
                + Samples.EU_KEY,
            "--input=" + samples.data("orders-us.avro"),
            run,
            samples.jobOptions(Samples.EU_KEY),
            "--region=eu-west-1");
    Samples.Verified v = verify(run, Samples.EU_KEY, Samples.EU_WEST_1);
    return new Result(List.of(o), List.of(v), List.of());
  }

  /**
   * (d) Bad records: a run sends them to the dead letters with their codes; once the disabled key
   * is enabled again, replaying the dead letters re-encrypts the record it was blocking, and the
   * others (tampered, wrong context, no tenant) are dead letters again.
   */
  public Result badRecords() throws IOException {
    fresh();
    Path first = samples.work().resolve("runs/d-bad-records");
    Path replay = samples.work().resolve("runs/d-replay");
    ReKeyJob.Outcome o1 =
        job(
            "Re-key customers.avro, which has four bad records",
            "--input=" + samples.data("customers.avro"),
            first,
            samples.jobOptions(Samples.NEW_KEY));
    List<String> dead = showDeadLetters(first);
    step("Enable " + Samples.DISABLED_KEY, "scripts/samples enable-key " + Samples.DISABLED_KEY);
    samples.enableKey(Samples.DISABLED_KEY);
    ReKeyJob.Outcome o2 =
        job(
            "Replay the dead letters",
            "--replayDeadLetters=" + first.resolve("dead-letter"),
            replay,
            samples.jobOptions(Samples.NEW_KEY));
    Samples.Verified v = verify(replay, Samples.NEW_KEY, Samples.US_EAST_1);
    return new Result(List.of(o1, o2), List.of(v), dead);
  }

  /**
   * (f) Parquet: the customers as Parquet (written by parquet-avro, snappy), re-keyed to Parquet
   * with the input's schema and codec; the bad records' dead letters are Avro, as for Avro input.
   */
  public Result parquet() throws IOException {
    fresh();
    Path run = samples.work().resolve("runs/f-parquet");
    ReKeyJob.Outcome o =
        job(
            "Re-key customers.parquet from " + Samples.OLD_KEY + " to " + Samples.NEW_KEY,
            "--input=" + samples.data("customers.parquet"),
            run,
            samples.jobOptions(Samples.NEW_KEY));
    Samples.Verified v = verify(run, Samples.NEW_KEY, Samples.US_EAST_1);
    List<String> dead = showDeadLetters(run);
    return new Result(List.of(o), List.of(v), dead);
  }

  /**
   * (g) Envelope-encrypted records: documents encrypted by Tink's KmsEnvelopeAead; only each
   * document's encrypted data key is re-encrypted (the body is copied byte for byte), and Tink
   * opens the output with the new key; a cut-off envelope is a dead letter.
   */
  public Result envelope() throws IOException {
    fresh();
    Path run = samples.work().resolve("runs/g-envelope");
    ReKeyJob.Outcome o =
        job(
            "Re-wrap the data keys of documents.avro from "
                + Samples.OLD_KEY
                + " to "
                + Samples.NEW_KEY,
            "--input=" + samples.data(Documents.FILE),
            run,
            List.of(
                "--keystore=" + samples.keystore(),
                "--fields=" + Documents.FIELD,
                "--fieldEncoding=tink-envelope",
                "--destinationKeyId=" + Samples.NEW_KEY));
    Samples.Verified v = verify(run, Samples.NEW_KEY, Samples.US_EAST_1);
    List<String> dead = showDeadLetters(run);
    return new Result(List.of(o), List.of(v), dead);
  }

  /** Shows the dead letters of the run into {@code run}, and returns them as shown. */
  private List<String> showDeadLetters(Path run) throws IOException {
    Path deadLetters = run.resolve("dead-letter");
    step("Show the dead letters", "scripts/samples dead-letters " + deadLetters);
    List<String> dead = Samples.describeDeadLetters(deadLetters);
    dead.forEach(l -> out.println("    " + l));
    return dead;
  }

  private void fresh() throws IOException {
    step("Make fresh samples", "scripts/samples init");
    samples.init();
  }

  /** A job reading {@code source} (its --input or --replayDeadLetters) into {@code output}. */
  private ReKeyJob.Outcome job(
      String what, String source, Path output, List<String> options, String... extra) {
    List<String> args = new ArrayList<>(List.of(source, "--output=" + output));
    args.addAll(options);
    args.addAll(List.of(extra));
    List<String> all = new ArrayList<>(args);
    all.addAll(runnerArgs);
    StringBuilder cmd = new StringBuilder("scripts/rekey");
    for (String a : args) {
      cmd.append(" \\\n      ").append(quote(a));
    }
    step(what, cmd.toString());
    ReKeyJob.Outcome o = ReKeyJob.run(all.toArray(new String[0]), out, out);
    if (o.exitCode() != ReKeyJob.EXIT_OK) {
      out.println("    (exit code " + o.exitCode() + ")");
    }
    return o;
  }

  private Samples.Verified verify(Path run, String key, Region region) throws IOException {
    step(
        "Check that every output field decrypts under " + key + " to the original plaintext",
        "scripts/samples verify " + run + " " + key + " " + region);
    Samples.Verified v = samples.verify(run, key, region);
    out.println(SamplesTool.describe(v, key));
    return v;
  }

  private void step(String what, String command) {
    out.println();
    out.println("== " + what);
    out.println("$ " + command);
  }

  private static String quote(String arg) {
    return arg.contains("{") || arg.contains("$") || arg.contains("[") ? "'" + arg + "'" : arg;
  }
}
