package io.qkms.pipeline.parquet;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.avro.AvroReadSupport;
import org.apache.parquet.avro.AvroSchemaConverter;
import org.apache.parquet.avro.AvroWriteSupport;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.schema.MessageType;

/**
 * What the job reads from Parquet files without decoding their data: that a file is whole (it
 * starts and ends with {@code PAR1}, its footer parses, its row groups lie inside it), its row
 * count (the footer's, per row group), its schema, and how it was written (codec, row-group size,
 * list layout), so the output is written the same way. Every message names the file.
 */
public final class ParquetFiles {
  private static final byte[] MAGIC = "PAR1".getBytes(StandardCharsets.US_ASCII);

  /** Output row groups: the input's size, kept between these bounds (heap per open writer). */
  static final long MIN_ROW_GROUP_BYTES = 16L << 20;

  static final long MAX_ROW_GROUP_BYTES = 128L << 20;

  private ParquetFiles() {}

  /**
   * The footer of {@code path} ({@code sizeBytes} long), checked to describe a whole file.
   *
   * @throws IOException naming the file and what is wrong: not Parquet, cut off, corrupt footer
   */
  public static ParquetMetadata footer(String path, long sizeBytes) throws IOException {
    if (sizeBytes < 2L * MAGIC.length + 4) {
      throw new IOException(
          path + " is not a Parquet file: it is " + sizeBytes + " bytes long, shorter than any");
    }
    byte[] head = new byte[MAGIC.length];
    byte[] tail = new byte[8];
    try (SeekableByteChannel ch =
        (SeekableByteChannel) FileSystems.open(FileSystems.matchNewResource(path, false))) {
      readFully(ch, 0, head, path);
      readFully(ch, sizeBytes - tail.length, tail, path);
    }
    boolean startsRight = Arrays.equals(head, MAGIC);
    boolean endsRight = Arrays.equals(Arrays.copyOfRange(tail, 4, 8), MAGIC);
    if (!startsRight) {
      throw new IOException(
          path + " is not a Parquet file: it does not start with the Parquet magic number PAR1");
    }
    if (!endsRight) {
      throw new IOException(
          path
              + " is truncated: it ends at byte "
              + sizeBytes
              + " without the Parquet footer (a whole file ends with PAR1); copy the whole file"
              + " again, or leave it out");
    }
    long footerBytes =
        ByteBuffer.wrap(tail, 0, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt() & 0xffffffffL;
    long footerStart = sizeBytes - 8 - footerBytes;
    if (footerStart < MAGIC.length) {
      throw new IOException(
          path
              + " is corrupt or truncated: its footer claims "
              + footerBytes
              + " bytes, more than the file holds");
    }
    ParquetMetadata footer;
    try (ParquetFileReader reader =
        ParquetFileReader.open(
            new BeamInputFile(path, sizeBytes), ParquetReadOptions.builder().build())) {
      footer = reader.getFooter();
    } catch (IOException | RuntimeException e) {
      throw new IOException(path + " has a Parquet footer that does not parse: " + message(e), e);
    }
    for (BlockMetaData block : footer.getBlocks()) {
      for (ColumnChunkMetaData c : block.getColumns()) {
        long start = c.getStartingPos();
        long end = start + c.getTotalSize();
        if (start < MAGIC.length || end > footerStart) {
          throw new IOException(
              String.format(
                  Locale.ROOT,
                  "%s is corrupt: column %s of a row group lies at bytes %d to %d, outside the"
                      + " data (bytes 4 to %d)",
                  path,
                  c.getPath().toDotString(),
                  start,
                  end,
                  footerStart));
        }
      }
    }
    return footer;
  }

  /** The rows of the Parquet file on {@code path}, from its footer. */
  public static long rows(String path, long sizeBytes) throws IOException {
    return rows(footer(path, sizeBytes));
  }

  static long rows(ParquetMetadata footer) {
    long n = 0;
    for (BlockMetaData b : footer.getBlocks()) {
      n += b.getRowCount();
    }
    return n;
  }

  /**
   * The Avro schema the records of a file with this footer are read with (parquet-avro's rule: the
   * Avro schema the writer stored, else one converted from the Parquet schema).
   */
  static Schema avroSchema(ParquetMetadata footer) {
    String stored = footer.getFileMetaData().getKeyValueMetaData().get("parquet.avro.schema");
    if (stored == null) {
      stored = footer.getFileMetaData().getKeyValueMetaData().get("avro.schema");
    }
    if (stored != null) {
      return new Schema.Parser().parse(stored);
    }
    return new AvroSchemaConverter(new Configuration(false))
        .convert(footer.getFileMetaData().getSchema());
  }

  /**
   * Reads the footer of {@code path}, checked to be whole ({@link #footer}), and says how to write
   * its records back the same way ({@link #layout(String, ParquetMetadata)}).
   */
  public static ParquetLayout layout(String path, long sizeBytes) throws IOException {
    return layout(path, footer(path, sizeBytes));
  }

  /**
   * How to write records of {@code footer}'s file back with the same Parquet schema, codec and
   * (bounded) row-group size.
   *
   * @throws IOException naming the file and the first column whose type cannot be written back
   *     unchanged (INT96 timestamps, for example)
   */
  public static ParquetLayout layout(String path, ParquetMetadata footer) throws IOException {
    MessageType fileSchema = footer.getFileMetaData().getSchema();
    Schema avro = avroSchema(footer);
    if (avro.getType() != Schema.Type.RECORD) {
      throw new IOException(path + ": its Avro schema is not a record");
    }
    Boolean oldLists = null;
    MessageType written = null;
    for (boolean old : new boolean[] {true, false}) {
      written = writtenSchema(avro, old, fileSchema.getName());
      if (written.equals(fileSchema)) {
        oldLists = old;
        break;
      }
    }
    if (oldLists == null) {
      throw new IOException(
          path
              + ": its Parquet schema cannot be written back unchanged through Avro ("
              + firstDifference(fileSchema, writtenSchema(avro, false, fileSchema.getName()))
              + "); the job would change the other columns' types");
    }
    CompressionCodecName codec = CompressionCodecName.SNAPPY;
    long rowGroupBytes = 0;
    for (BlockMetaData b : footer.getBlocks()) {
      if (rowGroupBytes == 0 && !b.getColumns().isEmpty()) {
        codec = b.getColumns().get(0).getCodec();
      }
      rowGroupBytes = Math.max(rowGroupBytes, b.getTotalByteSize());
    }
    rowGroupBytes = Math.max(MIN_ROW_GROUP_BYTES, Math.min(MAX_ROW_GROUP_BYTES, rowGroupBytes));
    return new ParquetLayout(
        avro.toString(), fileSchema.toString(), codec.name(), (int) rowGroupBytes, oldLists);
  }

  /** The Parquet schema parquet-avro writes for {@code avro}, named {@code name}. */
  static MessageType writtenSchema(Schema avro, boolean oldListStructure, String name) {
    Configuration conf = new Configuration(false);
    conf.setBoolean(AvroWriteSupport.WRITE_OLD_LIST_STRUCTURE, oldListStructure);
    MessageType m = new AvroSchemaConverter(conf).convert(avro);
    return new MessageType(name, m.getFields());
  }

  private static String firstDifference(MessageType file, MessageType written) {
    List<String[]> a = file.getPaths();
    for (String[] p : a) {
      if (!written.containsPath(p)) {
        return "column " + String.join(".", p) + " is " + file.getType(p);
      }
      if (!file.getType(p).equals(written.getType(p))) {
        return "column "
            + String.join(".", p)
            + " is "
            + file.getType(p)
            + ", written back it would be "
            + written.getType(p);
      }
    }
    return "the nesting of its columns differs";
  }

  /**
   * Up to {@code n} records from the start of the Parquet file on {@code path}, read as the job
   * reads them (parquet-avro, generic records).
   */
  public static List<GenericRecord> firstRecords(String path, long sizeBytes, int n)
      throws IOException {
    Configuration conf = new Configuration(false);
    conf.setBoolean(AvroReadSupport.AVRO_COMPATIBILITY, true);
    List<GenericRecord> out = new java.util.ArrayList<>();
    try (ParquetReader<GenericRecord> reader =
        AvroParquetReader.<GenericRecord>builder(new BeamInputFile(path, sizeBytes))
            .withDataModel(GenericData.get())
            .withConf(conf)
            .build()) {
      for (GenericRecord r = reader.read(); r != null && out.size() < n; r = reader.read()) {
        out.add(r);
      }
    } catch (IOException | RuntimeException e) {
      throw new IOException(path + ": " + message(e), e);
    }
    return out;
  }

  private static void readFully(SeekableByteChannel ch, long at, byte[] into, String path)
      throws IOException {
    ch.position(at);
    ByteBuffer b = ByteBuffer.wrap(into);
    while (b.hasRemaining()) {
      if (ch.read(b) < 0) {
        throw new IOException(path + " ends at byte " + (at + b.position()) + ", early");
      }
    }
  }

  private static String message(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }
}
