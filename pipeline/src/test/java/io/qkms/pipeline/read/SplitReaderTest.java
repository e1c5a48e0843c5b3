package io.qkms.pipeline.read;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.sameInstance;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** One byte range of an Avro file: its records exactly once, found without a byte-wise scan. */
class SplitReaderTest {
  private static final Schema SCHEMA =
      SchemaBuilder.record("R").fields().requiredLong("id").requiredBytes("blob").endRecord();

  @TempDir Path dir;

  /** {@code n} records of about 100 bytes, in blocks of about {@code syncIntervalBytes}. */
  private Path file(int n, int syncIntervalBytes) throws IOException {
    Path f = dir.resolve("f-" + n + "-" + syncIntervalBytes + ".avro");
    try (DataFileWriter<GenericRecord> w = new DataFileWriter<>(new GenericDatumWriter<>(SCHEMA))) {
      w.setSyncInterval(syncIntervalBytes);
      w.create(SCHEMA, f.toFile());
      for (long i = 0; i < n; i++) {
        GenericData.Record r = new GenericData.Record(SCHEMA);
        r.put("id", i);
        r.put("blob", ByteBuffer.wrap(new byte[(int) (90 + i % 20)]));
        w.append(r);
      }
    }
    return f;
  }

  private static List<Long> ids(Path f, long start, long end) throws IOException {
    List<Long> ids = new ArrayList<>();
    try (SplitReader r = SplitReader.open(new CountingChannel(f), SCHEMA, start, end)) {
      for (GenericRecord g = r.next(null); g != null; g = r.next(g)) {
        ids.add((Long) g.get("id"));
      }
    }
    return ids;
  }

  @ParameterizedTest
  @ValueSource(longs = {13, 97, 1000, 4096, 10_000, 1_000_000})
  void consecutiveRanges_readEveryRecordOnce_inOrder(long rangeBytes) throws IOException {
    Path f = file(1000, 1024);
    long size = Files.size(f);
    List<Long> ids = new ArrayList<>();
    for (long start = 0; start < size; start += rangeBytes) {
      ids.addAll(ids(f, start, Math.min(size, start + rangeBytes)));
    }
    assertThat(ids, equalTo(LongStream.range(0, 1000).boxed().toList()));
  }

  /** Compressed blocks are read whole, like plain ones. */
  @ParameterizedTest
  @ValueSource(strings = {"null", "deflate", "snappy", "bzip2", "xz", "zstandard"})
  void compressedFiles_readEveryRecordOnce(String codec) throws IOException {
    Path f = dir.resolve("c-" + codec + ".avro");
    try (DataFileWriter<GenericRecord> w = new DataFileWriter<>(new GenericDatumWriter<>(SCHEMA))) {
      w.setCodec(CodecFactory.fromString(codec));
      w.setSyncInterval(4096);
      w.create(SCHEMA, f.toFile());
      for (long i = 0; i < 2000; i++) {
        GenericData.Record r = new GenericData.Record(SCHEMA);
        r.put("id", i);
        r.put("blob", ByteBuffer.wrap(new byte[(int) (i % 50)]));
        w.append(r);
      }
    }
    long size = Files.size(f);
    List<Long> ids = new ArrayList<>();
    for (long start = 0; start < size; start += 3000) {
      ids.addAll(ids(f, start, Math.min(size, start + 3000)));
    }
    assertThat(ids, equalTo(LongStream.range(0, 2000).boxed().toList()));
  }

  @Test
  void emptyRange_readsNothing() throws IOException {
    Path f = file(100, 2048);
    assertThat(ids(f, 500, 500), equalTo(List.of()));
  }

  @Test
  void next_decodesIntoTheRecordGiven() throws IOException {
    Path f = file(10, 2048);
    try (SplitReader r = SplitReader.open(new CountingChannel(f), SCHEMA, 0, Files.size(f))) {
      GenericRecord first = r.next(null);
      assertThat(r.next(first), sameInstance(first));
      assertThat(first.get("id"), equalTo(1L));
    }
  }

  /** A range starting mid-block finds the next marker from buffered bytes, not a read per byte. */
  @Test
  void openInTheMiddleOfABlock_findsTheNextMarkerInFewReads() throws IOException {
    Path f = file(5000, 64_000); // the writers' usual block size
    CountingChannel channel = new CountingChannel(f);
    try (SplitReader r = SplitReader.open(channel, SCHEMA, 1000, Files.size(f))) {
      assertThat(r.next(null).get("id"), equalTo(nextBlockFirstId(f, 1000)));
    }
    // Scanning about 64 KB byte by byte took a read per byte; now a read per 8 KiB.
    assertThat(channel.reads, lessThan(30));
    assertThat(channel.sizes, equalTo(1));
  }

  /** Reading a whole range asks the channel its size once, not once per record. */
  @Test
  void readingARange_asksTheSizeOnce() throws IOException {
    Path f = file(5000, 2048);
    CountingChannel channel = new CountingChannel(f);
    try (SplitReader r = SplitReader.open(channel, SCHEMA, 0, Files.size(f))) {
      int n = 0;
      for (GenericRecord g = r.next(null); g != null; g = r.next(g)) {
        n++;
      }
      assertThat(n, equalTo(5000));
    }
    assertThat(channel.sizes, equalTo(1));
  }

  @Test
  void notAByteRange_isRefused_andTheChannelClosed() throws IOException {
    Path f = file(10, 2048);
    CountingChannel backwards = new CountingChannel(f);
    assertThrows(IllegalArgumentException.class, () -> SplitReader.open(backwards, SCHEMA, 10, 5));
    assertThat(backwards.closed, equalTo(true));
    CountingChannel negative = new CountingChannel(f);
    assertThrows(IllegalArgumentException.class, () -> SplitReader.open(negative, SCHEMA, -1, 5));
    assertThat(negative.closed, equalTo(true));
  }

  @Test
  void notAnAvroFile_isAnIOException_andTheChannelClosed() throws IOException {
    Path f = dir.resolve("not.avro");
    Files.writeString(f, "id,blob\n1,abc\n");
    CountingChannel channel = new CountingChannel(f);
    assertThrows(IOException.class, () -> SplitReader.open(channel, SCHEMA, 0, Files.size(f)));
    assertThat(channel.closed, equalTo(true));
  }

  /** The header's own marker starts the first block: [0, 1) has none of it, [1, end) all. */
  @Test
  void firstBlock_belongsToTheRangeHoldingTheHeadersMarker() throws IOException {
    Path f = file(100, 2048);
    assertThat(ids(f, 0, 1), equalTo(List.of()));
    assertThat(ids(f, 1, Files.size(f)), equalTo(LongStream.range(0, 100).boxed().toList()));
  }

  private static final Schema RICH =
      new Schema.Parser()
          .parse(
              """
              {"type": "record", "name": "Rich", "fields": [
                {"name": "id", "type": "long"},
                {"name": "name", "type": "string"},
                {"name": "blob", "type": ["null", "bytes"]},
                {"name": "tags", "type": {"type": "array", "items": "string"}},
                {"name": "attrs", "type": {"type": "map", "values": "int"}},
                {"name": "colour", "type": {"type": "enum", "name": "Colour",
                  "symbols": ["RED", "GREEN"]}},
                {"name": "digest", "type": {"type": "fixed", "name": "Digest", "size": 4}},
                {"name": "when", "type": {"type": "long", "logicalType": "timestamp-millis"}},
                {"name": "inner", "type": {"type": "record", "name": "Inner", "fields": [
                  {"name": "ratio", "type": "double"},
                  {"name": "items", "type": {"type": "array", "items": {"type": "record",
                    "name": "Item", "fields": [{"name": "secret", "type": ["null", "bytes"]}]}}}
                ]}}
              ]}
              """);

  private Path richFile(int n) throws IOException {
    Path f = dir.resolve("rich.avro");
    Schema inner = RICH.getField("inner").schema();
    Schema item = inner.getField("items").schema().getElementType();
    try (DataFileWriter<GenericRecord> w = new DataFileWriter<>(new GenericDatumWriter<>(RICH))) {
      w.setSyncInterval(1024);
      w.create(RICH, f.toFile());
      for (int i = 0; i < n; i++) {
        GenericData.Record it = new GenericData.Record(item);
        it.put("secret", i % 3 == 0 ? null : ByteBuffer.wrap(new byte[] {(byte) i, 7}));
        GenericData.Record in = new GenericData.Record(inner);
        in.put("ratio", i / 7.0);
        in.put("items", List.of(it, it));
        GenericData.Record r = new GenericData.Record(RICH);
        r.put("id", (long) i);
        r.put("name", "name-" + i);
        r.put("blob", i % 2 == 0 ? null : ByteBuffer.wrap(new byte[] {1, 2, (byte) i}));
        r.put("tags", List.of("t" + i, "u"));
        r.put("attrs", Map.of("a", i, "b", -i));
        r.put("colour", new GenericData.EnumSymbol(RICH.getField("colour").schema(), "GREEN"));
        r.put(
            "digest",
            new GenericData.Fixed(
                RICH.getField("digest").schema(), new byte[] {0, 1, 2, (byte) i}));
        r.put("when", 1_700_000_000_000L + i);
        r.put("inner", in);
        w.append(r);
      }
    }
    return f;
  }

  /** The fast reader returns what Avro's own reader does, for every kind of Avro value. */
  @Test
  void everyAvroType_readsAsAvrosOwnReaderReadsIt() throws IOException {
    Path f = richFile(300);
    List<GenericRecord> expected = new ArrayList<>();
    try (DataFileReader<GenericRecord> r =
        new DataFileReader<>(f.toFile(), new GenericDatumReader<>(RICH))) {
      r.forEach(expected::add);
    }
    List<GenericRecord> read = new ArrayList<>();
    long size = Files.size(f);
    for (long start = 0; start < size; start += 5000) {
      try (SplitReader r =
          SplitReader.open(new CountingChannel(f), RICH, start, Math.min(size, start + 5000))) {
        for (GenericRecord g = r.next(null); g != null; g = r.next(null)) {
          read.add(g);
        }
      }
    }
    assertThat(read.size(), equalTo(300));
    assertThat(read, equalTo(expected));
    assertThat(read.get(1).get("name"), instanceOf(Utf8.class)); // as Avro's reader gives it
  }

  /** A reader schema that adds a field with a default resolves against the file's schema. */
  @Test
  void readerSchemaWithANewField_getsItsDefault() throws IOException {
    Path f = file(50, 1024);
    Schema evolved =
        SchemaBuilder.record("R")
            .fields()
            .requiredLong("id")
            .requiredBytes("blob")
            .name("region")
            .type()
            .stringType()
            .stringDefault("us-east-1")
            .endRecord();
    try (SplitReader r = SplitReader.open(new CountingChannel(f), evolved, 0, Files.size(f))) {
      GenericRecord g = r.next(null);
      assertThat(g.get("id"), equalTo(0L));
      assertThat(g.get("region").toString(), equalTo("us-east-1"));
    }
  }

  /**
   * Avro's reader takes the end of a file cut inside a block for the end of the file; the range
   * holding that block fails instead, with the offsets, whatever the cuts.
   */
  @ParameterizedTest
  @ValueSource(longs = {97, 4096, 1_000_000})
  void aFileCutInsideABlock_failsTheRangeHoldingIt_namingTheOffsets(long rangeBytes)
      throws IOException {
    Path whole = file(1000, 1024);
    byte[] bytes = Files.readAllBytes(whole);
    Path f = dir.resolve("cut.avro");
    Files.write(f, java.util.Arrays.copyOf(bytes, bytes.length - 50));
    long size = Files.size(f);
    String expected =
        assertThrows(IOException.class, () -> AvroContainer.checkWhole(f.toString(), size))
            .getMessage();

    List<Long> read = new ArrayList<>();
    IOException failure = null;
    for (long start = 0; start < size && failure == null; start += rangeBytes) {
      try (SplitReader r =
          SplitReader.open(
              new CountingChannel(f),
              SCHEMA,
              start,
              Math.min(size, start + rangeBytes),
              f.toString())) {
        for (GenericRecord g = r.next(null); g != null; g = r.next(null)) {
          read.add((Long) g.get("id"));
        }
      } catch (IOException e) {
        failure = e;
      }
    }

    assertThat(failure == null ? null : failure.getMessage(), equalTo(expected));
    assertThat(read.size() < 1000, equalTo(true));
  }

  /** The id of the first record of the first block whose marker starts at or after {@code pos}. */
  private static Long nextBlockFirstId(Path f, long pos) throws IOException {
    List<Long> before = ids(f, 0, pos);
    return before.isEmpty() ? 0L : before.get(before.size() - 1) + 1;
  }
}
