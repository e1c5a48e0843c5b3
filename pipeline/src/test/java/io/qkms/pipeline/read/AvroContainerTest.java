package io.qkms.pipeline.read;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Whole or cut off: an Avro file's layout, checked without decoding a record. */
class AvroContainerTest {
  static final Schema SCHEMA =
      SchemaBuilder.record("R").fields().requiredLong("id").requiredString("s").endRecord();

  @TempDir Path dir;

  /** A file of {@code n} records; the offsets where its blocks start go into {@code blocks}. */
  Path file(String name, int n, CodecFactory codec, List<Long> blocks) throws IOException {
    Path f = dir.resolve(name);
    try (DataFileWriter<GenericRecord> w = new DataFileWriter<>(new GenericDatumWriter<>(SCHEMA))) {
      w.setCodec(codec);
      w.create(SCHEMA, f.toFile());
      blocks.add(w.sync()); // the header's end: where the first block starts
      for (int i = 0; i < n; i++) {
        GenericData.Record r = new GenericData.Record(SCHEMA);
        r.put("id", (long) i);
        r.put("s", "value-" + i);
        w.append(r);
        if (i % 50 == 49) {
          blocks.add(w.sync()); // ends the block: the next one starts here
        }
      }
    }
    return f;
  }

  Path cut(Path f, long length) throws IOException {
    Path out = dir.resolve("cut-" + length + "-" + f.getFileName());
    Files.write(out, Arrays.copyOf(Files.readAllBytes(f), (int) length));
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {"null", "snappy", "deflate"})
  void wholeFiles_pass_andCountTheirRecords(String codec) throws IOException {
    Path f = file("whole.avro", 1_000, CodecFactory.fromString(codec), new ArrayList<>());

    AvroContainer.checkWhole(f.toString(), Files.size(f));
    assertThat(
        AvroContainer.countRecords(
            new ByteArrayInputStream(Files.readAllBytes(f)), f.toString(), Files.size(f)),
        is(1_000L));
  }

  @Test
  void aFileOfNoRecords_isWhole() throws IOException {
    Path f = file("empty.avro", 0, CodecFactory.nullCodec(), new ArrayList<>());

    AvroContainer.checkWhole(f.toString(), Files.size(f));
  }

  @Test
  void aFileCutInsideABlock_namesItWhereItEnds_andWhereTheBlockStarts() throws IOException {
    List<Long> blocks = new ArrayList<>();
    Path whole = file("whole.avro", 1_000, CodecFactory.nullCodec(), blocks);
    long lastBlock = blocks.get(blocks.size() - 2); // the 20th block: records 950 to 999
    for (long length : new long[] {lastBlock + 1, lastBlock + 40, Files.size(whole) - 1}) {
      Path f = cut(whole, length);

      IOException e =
          assertThrows(IOException.class, () -> AvroContainer.checkWhole(f.toString(), length));
      String expected =
          f
              + " is truncated: it ends at byte "
              + length
              + ", inside the Avro block that starts at byte "
              + lastBlock
              + " (the blocks before it are whole); copy the whole file again, or leave it out";
      assertThat(e.getMessage(), equalTo(expected));
      IOException counting =
          assertThrows(
              IOException.class,
              () ->
                  AvroContainer.countRecords(
                      new ByteArrayInputStream(Files.readAllBytes(f)), f.toString(), length));
      assertThat(counting.getMessage(), equalTo(expected));
    }
  }

  @Test
  void aFileCutInsideItsHeader_saysSo() throws IOException {
    Path whole = file("whole.avro", 10, CodecFactory.nullCodec(), new ArrayList<>());
    Path f = cut(whole, 30);

    IOException e =
        assertThrows(IOException.class, () -> AvroContainer.checkWhole(f.toString(), 30));
    assertThat(
        e.getMessage(), equalTo(f + " is truncated: it ends at byte 30, inside its Avro header"));
  }

  @Test
  void aFileThatIsNoAvro_saysSo() throws IOException {
    Path f = dir.resolve("data.avro");
    Files.writeString(f, "id,name\n1,a\n");

    IOException e =
        assertThrows(
            IOException.class, () -> AvroContainer.checkWhole(f.toString(), Files.size(f)));
    assertThat(
        e.getMessage(),
        equalTo(f + " is not an Avro container file (it does not start with Avro's magic bytes)"));
  }

  @Test
  void aBlockNotEndingWithTheSyncMarker_isCorrupt() throws IOException {
    List<Long> blocks = new ArrayList<>();
    Path whole = file("whole.avro", 200, CodecFactory.nullCodec(), blocks);
    byte[] bytes = Files.readAllBytes(whole);
    long secondBlockEnd = blocks.get(2);
    bytes[(int) secondBlockEnd - 1] ^= 1; // the last byte of its marker
    Path f = dir.resolve("corrupt.avro");
    Files.write(f, bytes);

    IOException e =
        assertThrows(
            IOException.class,
            () ->
                AvroContainer.countRecords(
                    new ByteArrayInputStream(bytes), f.toString(), bytes.length));
    assertThat(
        e.getMessage(),
        equalTo(
            f
                + " is corrupt: the Avro block at byte "
                + blocks.get(1)
                + " does not end with the file's sync marker (at byte "
                + (secondBlockEnd - 16)
                + ")"));
  }

  @Test
  void naming_addsTheFileOnce_andKeepsTheRootCausesMessage() {
    IOException own = new IOException("/d/a.avro is truncated: it ends at byte 9");
    assertThat(InputErrors.naming("/d/a.avro", own), is(own));
    IOException wrapped =
        InputErrors.naming(
            "/d/a.avro",
            new org.apache.avro.AvroRuntimeException(new IOException("Invalid sync!")));
    assertThat(wrapped.getMessage(), equalTo("/d/a.avro: Invalid sync!"));
    assertThat(wrapped.getCause(), is((Throwable) null));
  }
}
