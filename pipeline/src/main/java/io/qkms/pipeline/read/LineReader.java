package io.qkms.pipeline.read;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.util.Arrays;

/**
 * The lines of one byte range of a text file, as exact text ({@link LosslessUtf8}).
 *
 * <p>What a line is: the bytes up to a {@code \n}, which ends it and is not part of it. A {@code
 * \r} is an ordinary byte: before the {@code \n} it stays part of the line (and is written back),
 * and alone it ends nothing. The bytes after the last {@code \n} are one more line unless there are
 * none. A UTF-8 byte-order mark at the very start of the file is not part of its first line (as
 * with Beam's {@code TextIO}). {@link #count} counts by the same rules without decoding.
 *
 * <p>A range {@code [start, end)} reads the lines that start in it (the first line of the file
 * starts at 0, every other one just after a {@code \n}), each to its end even past {@code end}:
 * consecutive ranges covering a file read each line exactly once.
 */
final class LineReader implements Closeable {
  static final int BUFFER_BYTES = 64 * 1024;
  private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

  private final ReadableByteChannel channel;
  private final long end;
  private final byte[] buffer = new byte[BUFFER_BYTES];
  private final ByteBuffer wrapped = ByteBuffer.wrap(buffer);
  private int position; // next unread byte of the buffer
  private int limit; // end of the bytes in the buffer
  private long bufferStart; // the stream offset of buffer[0]
  private long lineStart; // the stream offset where the next line starts
  private byte[] carry = new byte[0]; // the start of a line that runs past the buffer
  private int carryLength;
  private boolean eof;

  private LineReader(ReadableByteChannel channel, long offset, long end) {
    this.channel = channel;
    this.bufferStart = offset;
    this.lineStart = offset;
    this.end = end;
  }

  /**
   * The lines starting in bytes {@code [start, end)} of {@code channel}. The reader owns the
   * channel from here on, and closes it.
   */
  static LineReader open(SeekableByteChannel channel, long start, long end) throws IOException {
    if (start < 0 || end < start) {
      channel.close();
      throw new IllegalArgumentException("Not a byte range: [" + start + ", " + end + ")");
    }
    LineReader r = new LineReader(channel, Math.max(0, start - 1), end);
    try {
      if (start > 0) {
        channel.position(start - 1);
        r.skipThroughNewline(); // the line that began before the range is the previous one's
      }
    } catch (IOException | RuntimeException e) {
      r.close();
      throw e;
    }
    return r;
  }

  /** Every line of {@code channel} from where it is (a decompressed stream, read whole). */
  static LineReader whole(ReadableByteChannel channel) {
    return new LineReader(channel, 0, Long.MAX_VALUE);
  }

  /** The stream offset where the next line starts (past the last one: where the input ends). */
  long lineStart() {
    return lineStart;
  }

  /** The next line of the range, or null after the last. */
  String next() throws IOException {
    if (lineStart >= end) {
      return null;
    }
    while (true) {
      if (position == limit && !fill()) {
        if (carryLength == 0) {
          return null;
        }
        int length = carryLength;
        carryLength = 0;
        long start = lineStart;
        lineStart = bufferStart + limit;
        int skip = bomAt(start, carry, 0, length);
        return skip == length ? null : LosslessUtf8.decode(carry, skip, length - skip);
      }
      int newline = indexOfNewline(buffer, position, limit);
      if (newline < 0) {
        append(position, limit - position);
        position = limit;
        continue;
      }
      long start = lineStart;
      lineStart = bufferStart + newline + 1;
      String line;
      if (carryLength == 0) {
        int skip = bomAt(start, buffer, position, newline - position);
        line = LosslessUtf8.decode(buffer, position + skip, newline - position - skip);
      } else {
        append(position, newline - position);
        int length = carryLength;
        carryLength = 0;
        int skip = bomAt(start, carry, 0, length);
        line = LosslessUtf8.decode(carry, skip, length - skip);
      }
      position = newline + 1;
      return line;
    }
  }

  /**
   * The number of lines {@link #next} reads from the whole of {@code in}, counted from the line
   * breaks without decoding.
   */
  static long count(InputStream in) throws IOException {
    byte[] buf = new byte[BUFFER_BYTES];
    byte[] head = new byte[BOM.length]; // the first bytes of the input
    long total = 0;
    long newlines = 0;
    long trailing = 0; // bytes after the last \n
    int r;
    while ((r = in.read(buf)) >= 0) {
      if (total < head.length) {
        System.arraycopy(buf, 0, head, (int) total, (int) Math.min(r, head.length - total));
      }
      int last = -1;
      for (int i = 0; i < r; i++) {
        if (buf[i] == '\n') {
          newlines++;
          last = i;
        }
      }
      trailing = last >= 0 ? r - last - 1 : trailing + r;
      total += r;
    }
    if (trailing == 0 || (total == BOM.length && Arrays.equals(head, BOM))) {
      return newlines; // nothing after the last \n, or a file of a byte-order mark alone
    }
    return newlines + 1;
  }

  /** The length of a byte-order mark at the start of a line starting at {@code start}: 0 or 3. */
  private static int bomAt(long start, byte[] b, int offset, int length) {
    return start == 0
            && length >= BOM.length
            && b[offset] == BOM[0]
            && b[offset + 1] == BOM[1]
            && b[offset + 2] == BOM[2]
        ? BOM.length
        : 0;
  }

  private static int indexOfNewline(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  /** Consumes the input through its next {@code \n}; the next line starts after it. */
  private void skipThroughNewline() throws IOException {
    while (position < limit || fill()) {
      int newline = indexOfNewline(buffer, position, limit);
      if (newline >= 0) {
        position = newline + 1;
        lineStart = bufferStart + position;
        return;
      }
      position = limit;
    }
    lineStart = bufferStart + limit; // no line starts in the range
  }

  private void append(int from, int length) {
    if (carryLength + length > carry.length) {
      carry = Arrays.copyOf(carry, Math.max(carryLength + length, 2 * carry.length + 64));
    }
    System.arraycopy(buffer, from, carry, carryLength, length);
    carryLength += length;
  }

  /** Reads the next bytes into the buffer: false at the end of the input. */
  private boolean fill() throws IOException {
    if (eof) {
      return false;
    }
    bufferStart += limit;
    position = 0;
    limit = 0;
    wrapped.clear();
    int n = channel.read(wrapped);
    if (n == 0) {
      // Taken for the end, it would cut the range short and lose its last lines.
      throw new IOException("The input channel read no bytes (a non-blocking channel?)");
    }
    if (n < 0) {
      eof = true;
      return false;
    }
    limit = n;
    return true;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
