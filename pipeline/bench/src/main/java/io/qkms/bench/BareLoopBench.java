package io.qkms.bench;

import io.qkms.pipeline.read.AvroSplits;
import io.qkms.pipeline.read.SplitReader;
import io.qkms.pipeline.worker.EngineSpec;
import io.qkms.pipeline.worker.WorkerEngine;
import io.qkms.pipeline.worker.WorkerEngines;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.Schema;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;

/**
 * The pipeline benchmark's baseline: the job's work without Beam or Flink. Threads read the Avro
 * input in the same byte-range splits as the job, re-encrypt one top-level {@code bytes} field per
 * record with the same shared worker engine, and write each split to a snappy Avro file (the job's
 * output codec). No dead letters, counts or commit: any failure ends the run. It shows what a cold
 * JVM on this machine can do at best, so the job's figure can be read against it. With {@code
 * --reEncrypt=false} it copies the field unchanged: the reading and writing alone.
 *
 * <p>Usage: {@code java -Xmx1g -cp <job jar> io.qkms.pipeline.bench.BareLoopBench --input=FILE
 * --output=DIR --keystore=DIR --field=NAME --destinationKeyId=KEY [--threads=2]
 * [--reEncrypt=true]}. Prints {@code name value} lines: {@code records}, {@code records_per_s}
 * (first record to the last file closed), {@code second_half_records_per_s}, {@code startup_s} (JVM
 * start to the first record).
 */
public final class BareLoopBench {
  private BareLoopBench() {}

  /** What one run measured. */
  record Result(long records, long firstRecordMillis, long endMillis, double secondHalfPerS) {}

  public static void main(String[] args) throws Exception {
    Map<String, String> o = options(args);
    int threads = Integer.parseInt(o.getOrDefault("threads", "2"));
    String reEncrypt = o.getOrDefault("reEncrypt", "true");
    if (!reEncrypt.equals("true") && !reEncrypt.equals("false")) {
      throw new IllegalArgumentException("--reEncrypt is true or false: " + reEncrypt);
    }
    Result r =
        run(
            Path.of(required(o, "input")),
            Path.of(required(o, "output")),
            required(o, "keystore"),
            required(o, "field"),
            required(o, "destinationKeyId"),
            threads,
            Boolean.parseBoolean(reEncrypt));
    PrintStream out = System.out;
    long launch = ManagementFactory.getRuntimeMXBean().getStartTime();
    print(out, "records", r.records());
    print(out, "records_per_s", r.records() / ((r.endMillis() - r.firstRecordMillis()) / 1000.0));
    if (r.secondHalfPerS() > 0) {
      print(out, "second_half_records_per_s", r.secondHalfPerS());
    }
    print(out, "startup_s", (r.firstRecordMillis() - launch) / 1000.0);
    System.exit(0); // the worker engine's cache threads are daemons, but do not wait for anything
  }

  /**
   * Re-encrypts {@code field} of every record of {@code input} into files in {@code output} (or, if
   * not {@code reEncrypt}, copies it unchanged).
   */
  static Result run(
      Path input,
      Path output,
      String keystore,
      String field,
      String destinationKeyId,
      int threads,
      boolean reEncrypt)
      throws Exception {
    if (threads < 1) {
      throw new IllegalArgumentException("--threads must be 1 or more");
    }
    Files.createDirectories(output);
    Schema schema;
    try (DataFileReader<GenericRecord> r =
        new DataFileReader<>(input.toFile(), new GenericDatumReader<>())) {
      schema = r.getSchema();
    }
    if (schema.getField(field) == null
        || !schema.getField(field).schema().getType().equals(Schema.Type.BYTES)) {
      throw new IllegalArgumentException("--field must name a top-level bytes field: " + field);
    }
    long length = Files.size(input);
    long splitBytes = AvroSplits.splitSizeBytes(length);
    int splits = (int) ((length + splitBytes - 1) / splitBytes);

    AtomicInteger nextSplit = new AtomicInteger();
    AtomicLong records = new AtomicLong();
    AtomicLong firstRecord = new AtomicLong(-1);
    List<long[]> progress = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try (WorkerEngine engine = WorkerEngines.acquire(EngineSpec.of(keystore))) {
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        workers.add(
            pool.submit(
                () -> {
                  for (int s = nextSplit.getAndIncrement();
                      s < splits;
                      s = nextSplit.getAndIncrement()) {
                    long start = s * splitBytes;
                    long end = Math.min(length, start + splitBytes);
                    File out = output.resolve(String.format("bare-%05d.avro", s)).toFile();
                    copySplit(
                        input.toFile(),
                        start,
                        end,
                        out,
                        schema,
                        field,
                        destinationKeyId,
                        reEncrypt ? engine : null,
                        records,
                        firstRecord);
                  }
                  return null;
                }));
      }
      while (!workers.stream().allMatch(Future::isDone)) {
        long n = records.get();
        if (progress.isEmpty() || progress.get(progress.size() - 1)[1] != n) {
          progress.add(new long[] {System.nanoTime(), n});
        }
        Thread.sleep(10);
      }
      for (Future<?> w : workers) {
        w.get(); // rethrows a worker's failure
      }
    } finally {
      pool.shutdownNow();
    }
    long end = System.currentTimeMillis();
    progress.add(new long[] {System.nanoTime(), records.get()});
    return new Result(
        records.get(),
        firstRecord.get(),
        end,
        PipelineBench.secondHalfRate(progress, records.get()));
  }

  /** The job's split rule and reader ({@link SplitReader}). */
  private static void copySplit(
      File input,
      long start,
      long end,
      File out,
      Schema schema,
      String field,
      String destinationKeyId,
      WorkerEngine engine, // null: copy the field unchanged
      AtomicLong records,
      AtomicLong firstRecord)
      throws IOException {
    try (SplitReader reader =
            SplitReader.open(
                FileChannel.open(input.toPath(), StandardOpenOption.READ), schema, start, end);
        DataFileWriter<GenericRecord> writer =
            new DataFileWriter<>(new GenericDatumWriter<GenericRecord>(schema))) {
      writer.setCodec(CodecFactory.snappyCodec());
      writer.create(schema, out);
      long n = 0;
      for (GenericRecord record = reader.next(null); record != null; record = reader.next(record)) {
        if (firstRecord.get() < 0) {
          firstRecord.compareAndSet(-1, System.currentTimeMillis());
        }
        ByteBuffer blob = (ByteBuffer) record.get(field);
        byte[] ciphertext = new byte[blob.remaining()];
        blob.get(ciphertext);
        record.put(
            field,
            ByteBuffer.wrap(
                engine == null
                    ? ciphertext
                    : engine
                        .reEncrypt(ciphertext, null, null, destinationKeyId, null, null)
                        .ciphertextBlob()));
        writer.append(record);
        if (++n % 1024 == 0) {
          records.addAndGet(1024);
        }
      }
      records.addAndGet(n % 1024);
    }
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> o = new HashMap<>();
    for (String a : args) {
      int eq = a.indexOf('=');
      if (!a.startsWith("--") || eq < 0) {
        throw new IllegalArgumentException("Options are --name=value: " + a);
      }
      o.put(a.substring(2, eq), a.substring(eq + 1));
    }
    return o;
  }

  private static String required(Map<String, String> o, String name) {
    String v = o.get(name);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException("--" + name + " is required");
    }
    return v;
  }

  private static void print(PrintStream out, String name, double value) {
    out.println(String.format(Locale.ROOT, "%s %.3f", name, value));
  }
}
