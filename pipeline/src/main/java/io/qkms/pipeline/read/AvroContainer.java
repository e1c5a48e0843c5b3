package io.qkms.pipeline.read;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.avro.file.DataFileConstants;
import org.apache.beam.sdk.io.FileSystems;

/**
 * The layout of an Avro container file, read without decoding a record: the header (magic,
 * metadata, sync marker), then blocks of {@code count, size, data, sync marker}. Used to check that
 * an input is whole before the job starts, and to count the records of a run's files.
 *
 * <p>Why: Avro's own reader takes a file that ends inside a block for one that ends there ({@code
 * DataFileStream.hasNext} swallows the {@code EOFException}), so a cut-off file would be read
 * silently short. The messages here name the file and the byte offsets.
 */
public final class AvroContainer {
  static final int SYNC_SIZE = DataFileConstants.SYNC_SIZE;
  private static final int MAX_BLOCK_BYTES = Integer.MAX_VALUE; // as Avro's reader

  private AvroContainer() {}

  /** The header: its sync marker and where the first block starts. */
  record Header(byte[] sync, long lengthBytes) {}

  /**
   * Checks that {@code path}, of {@code sizeBytes}, has a valid header and ends with its sync
   * marker (every block is whole), reading only the header and the last bytes.
   *
   * @throws IOException naming the file and, when it is cut off, the offsets
   */
  public static void checkWhole(String path, long sizeBytes) throws IOException {
    Header header;
    try (InputStream in = open(path)) {
      header = readHeader(new Counting(in), path, sizeBytes);
    }
    if (sizeBytes == header.lengthBytes()) {
      return; // no blocks
    }
    if (sizeBytes - SYNC_SIZE >= header.lengthBytes()) {
      byte[] tail = new byte[SYNC_SIZE];
      ReadableByteChannel ch = FileSystems.open(FileSystems.matchNewResource(path, false));
      try (ch) {
        if (ch instanceof SeekableByteChannel s) {
          s.position(sizeBytes - SYNC_SIZE);
          ByteBuffer b = ByteBuffer.wrap(tail);
          while (b.hasRemaining() && s.read(b) > 0) {}
          if (!b.hasRemaining() && Arrays.equals(tail, header.sync())) {
            return;
          }
        }
      }
    }
    // Not whole, or not seekable: walk the blocks to say where it goes wrong.
    try (InputStream in = open(path)) {
      walk(in, path, sizeBytes);
    }
  }

  /**
   * The number of records in the Avro container file on {@code in} (named {@code name}, of {@code
   * sizeBytes} or -1 if unknown, in messages): the sum of its blocks' counts, each block checked to
   * end with the sync marker.
   *
   * @throws IOException if it is not an Avro container file, or is cut off or corrupt
   */
  public static long countRecords(InputStream in, String name, long sizeBytes) throws IOException {
    return walk(in, name, sizeBytes);
  }

  /**
   * The message for a file that ends, at byte {@code sizeBytes}, inside the block that starts at
   * {@code blockStart}.
   */
  static String truncated(String name, long blockStart, long sizeBytes) {
    return name
        + " is truncated: it ends at byte "
        + sizeBytes
        + ", inside the Avro block that starts at byte "
        + blockStart
        + " (the blocks before it are whole); copy the whole file again, or leave it out";
  }

  /** Walks every block; the record count. {@code sizeBytes} is for messages (-1: unknown). */
  private static long walk(InputStream raw, String name, long sizeBytes) throws IOException {
    Counting in = new Counting(raw);
    Header header = readHeader(in, name, sizeBytes);
    long records = 0;
    byte[] sync = new byte[SYNC_SIZE];
    while (true) {
      long blockStart = in.position;
      int first = in.read();
      if (first < 0) {
        return records;
      }
      try {
        long count = readLong(in, first);
        long size = readLong(in, in.readByte());
        if (count < 0 || size < 0 || size > MAX_BLOCK_BYTES) {
          throw new IOException(
              name
                  + " is corrupt: the Avro block at byte "
                  + blockStart
                  + " has an impossible header (count "
                  + count
                  + ", size "
                  + size
                  + ")");
        }
        in.skipFully(size);
        in.readFully(sync);
        records += count;
      } catch (EOFException e) {
        // No cause: the job reports the root cause's message, and this one says it all.
        throw new IOException(
            truncated(name, blockStart, sizeBytes >= 0 ? sizeBytes : in.position));
      }
      if (!Arrays.equals(sync, header.sync())) {
        throw new IOException(
            name
                + " is corrupt: the Avro block at byte "
                + blockStart
                + " does not end with the file's sync marker (at byte "
                + (in.position - SYNC_SIZE)
                + ")");
      }
    }
  }

  private static Header readHeader(Counting in, String name, long sizeBytes) throws IOException {
    try {
      byte[] magic = new byte[DataFileConstants.MAGIC.length];
      in.readFully(magic);
      if (!Arrays.equals(magic, DataFileConstants.MAGIC)) {
        throw new IOException(
            name + " is not an Avro container file (it does not start with Avro's magic bytes)");
      }
      boolean schema = false;
      for (long n = readLong(in, in.readByte()); n != 0; n = readLong(in, in.readByte())) {
        if (n < 0) {
          n = -n;
          readLong(in, in.readByte()); // the block's size in bytes
        }
        for (long i = 0; i < n; i++) {
          long keyLength = readLong(in, in.readByte());
          if (keyLength < 0 || keyLength > 1 << 20) {
            throw badHeader(name, in.position);
          }
          byte[] key = new byte[(int) keyLength];
          in.readFully(key);
          long valueLength = readLong(in, in.readByte());
          if (valueLength < 0) {
            throw badHeader(name, in.position);
          }
          in.skipFully(valueLength);
          schema |= "avro.schema".equals(new String(key, StandardCharsets.UTF_8));
        }
      }
      if (!schema) {
        throw new IOException(name + " is not an Avro container file (its header has no schema)");
      }
      byte[] sync = new byte[SYNC_SIZE];
      in.readFully(sync);
      return new Header(sync, in.position);
    } catch (EOFException e) {
      throw new IOException(
          name
              + " is truncated: it ends at byte "
              + (sizeBytes >= 0 ? sizeBytes : in.position)
              + ", inside its Avro header");
    }
  }

  private static IOException badHeader(String name, long offset) {
    return new IOException(
        name + " is not an Avro container file (its header is malformed at byte " + offset + ")");
  }

  /** Avro's zig-zag variable-length long, whose first byte is {@code first}. */
  private static long readLong(Counting in, int first) throws IOException {
    long n = first & 0x7F;
    int b = first;
    int shift = 7;
    while ((b & 0x80) != 0) {
      if (shift > 63) {
        throw new IOException("Invalid long encoding at byte " + in.position);
      }
      b = in.readByte();
      n |= (long) (b & 0x7F) << shift;
      shift += 7;
    }
    return (n >>> 1) ^ -(n & 1);
  }

  private static InputStream open(String path) throws IOException {
    return Channels.newInputStream(FileSystems.open(FileSystems.matchNewResource(path, false)));
  }

  /** A buffered stream that knows its offset. */
  private static final class Counting {
    private final InputStream in;
    long position;

    Counting(InputStream in) {
      this.in = in instanceof BufferedInputStream ? in : new BufferedInputStream(in, 1 << 16);
    }

    int read() throws IOException {
      int b = in.read();
      if (b >= 0) {
        position++;
      }
      return b;
    }

    int readByte() throws IOException {
      int b = read();
      if (b < 0) {
        throw new EOFException();
      }
      return b;
    }

    void readFully(byte[] b) throws IOException {
      int n = in.readNBytes(b, 0, b.length);
      position += n;
      if (n < b.length) {
        throw new EOFException();
      }
    }

    void skipFully(long n) throws IOException {
      long left = n;
      while (left > 0) {
        long s = in.skip(left);
        if (s <= 0) {
          if (in.read() < 0) {
            throw new EOFException();
          }
          s = 1;
        }
        left -= s;
        position += s;
      }
    }
  }
}
