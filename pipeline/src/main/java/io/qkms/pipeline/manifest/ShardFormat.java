package io.qkms.pipeline.manifest;

import io.qkms.pipeline.deadletter.DeadLetter;
import io.qkms.pipeline.deadletter.DeadLetterFiles;
import io.qkms.pipeline.read.LosslessUtf8;
import io.qkms.pipeline.read.Shards;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.util.function.Consumer;
import org.apache.avro.Schema;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;

/**
 * A record format as a resumable run needs it for one shard at a time: read the shard, and write
 * its records and its dead letters into one file each, in the same form as the job's sinks (Avro
 * with snappy and dead letters whose header names the format; JSON Lines byte for byte, dead
 * letters as JSON Lines), so replay and the committed-count checks read them as any run's.
 *
 * @param <T> the record type
 */
public abstract class ShardFormat<T> implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Writes records of one kind to a stream; {@link #close()} finishes the file. */
  public interface Writer<X> extends AutoCloseable {
    void write(X x) throws IOException;

    @Override
    void close() throws IOException;
  }

  /** Reads one shard's records, in order. */
  public abstract long read(Shards.Shard shard, Consumer<T> out) throws IOException;

  public abstract Writer<T> records(OutputStream out) throws IOException;

  public abstract Writer<DeadLetter<T>> deadLetters(OutputStream out) throws IOException;

  /** The records' coder (what the transform's checks need). */
  public abstract Coder<T> coder();

  /** {@code .avro}, {@code .jsonl}. */
  public abstract String recordSuffix();

  public abstract String deadLetterSuffix();

  /** Avro container files of one schema. */
  public static ShardFormat<GenericRecord> avro(Schema schema) {
    return new Avro(schema.toString());
  }

  /** JSON Lines, byte for byte. */
  public static ShardFormat<String> jsonLines() {
    return new Lines();
  }

  private static final class Avro extends ShardFormat<GenericRecord> {
    private static final long serialVersionUID = 1L;
    private final String schemaJson;
    private transient Schema schema;
    private transient Schema deadLetterSchema;

    Avro(String schemaJson) {
      this.schemaJson = schemaJson;
    }

    private Schema schema() {
      if (schema == null) {
        schema = new Schema.Parser().parse(schemaJson);
        deadLetterSchema = DeadLetterFiles.avroSchema(schema);
      }
      return schema;
    }

    @Override
    public long read(Shards.Shard shard, Consumer<GenericRecord> out) throws IOException {
      return Shards.readAvro(shard, schema(), out);
    }

    @Override
    public Writer<GenericRecord> records(OutputStream out) throws IOException {
      return writer(schema(), out, null);
    }

    @Override
    public Writer<DeadLetter<GenericRecord>> deadLetters(OutputStream out) throws IOException {
      schema();
      Writer<GenericRecord> w = writer(deadLetterSchema, out, "avro");
      return new Writer<>() {
        @Override
        public void write(DeadLetter<GenericRecord> d) throws IOException {
          w.write(DeadLetterFiles.toAvro(d, deadLetterSchema));
        }

        @Override
        public void close() throws IOException {
          w.close();
        }
      };
    }

    private static Writer<GenericRecord> writer(Schema s, OutputStream out, String format)
        throws IOException {
      DataFileWriter<GenericRecord> w =
          new DataFileWriter<>(new GenericDatumWriter<GenericRecord>(s))
              .setCodec(CodecFactory.snappyCodec());
      if (format != null) {
        w.setMeta("qkms.format", format); // as the job's dead-letter sink names it
      }
      w.create(s, out);
      return new Writer<>() {
        @Override
        public void write(GenericRecord r) throws IOException {
          w.append(r);
        }

        @Override
        public void close() throws IOException {
          w.close();
        }
      };
    }

    @Override
    public Coder<GenericRecord> coder() {
      return AvroCoder.of(schema());
    }

    @Override
    public String recordSuffix() {
      return ".avro";
    }

    @Override
    public String deadLetterSuffix() {
      return ".avro";
    }
  }

  private static final class Lines extends ShardFormat<String> {
    private static final long serialVersionUID = 1L;

    @Override
    public long read(Shards.Shard shard, Consumer<String> out) throws IOException {
      return Shards.readLines(shard, out);
    }

    @Override
    public Writer<String> records(OutputStream out) {
      return lines(out);
    }

    @Override
    public Writer<DeadLetter<String>> deadLetters(OutputStream out) {
      Writer<String> w = lines(out);
      return new Writer<>() {
        @Override
        public void write(DeadLetter<String> d) throws IOException {
          w.write(DeadLetterFiles.toJsonLine(d));
        }

        @Override
        public void close() throws IOException {
          w.close();
        }
      };
    }

    private static Writer<String> lines(OutputStream raw) {
      OutputStream out = new BufferedOutputStream(raw, 1 << 16);
      return new Writer<>() {
        @Override
        public void write(String line) throws IOException {
          out.write(LosslessUtf8.encode(line));
          out.write('\n');
        }

        @Override
        public void close() throws IOException {
          out.close();
        }
      };
    }

    @Override
    public Coder<String> coder() {
      return io.qkms.pipeline.read.LosslessUtf8Coder.of();
    }

    @Override
    public String recordSuffix() {
      return ".jsonl";
    }

    @Override
    public String deadLetterSuffix() {
      return ".jsonl";
    }
  }
}
