package io.qkms.pipeline.read;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import org.apache.avro.file.SeekableInput;

/**
 * Avro's seekable input over a channel, with a small read-ahead buffer and the length taken once.
 *
 * <p>Why: {@code DataFileReader.sync} looks for a split's first sync marker one byte at a time
 * through {@code read(b, off, 1)}, and {@code pastSync} asks for the length after every record. On
 * a bare channel that was a read system call per byte scanned and an {@code fstat} per record:
 * about two million and one million calls in a million-record job. Reads of a buffer's size or more
 * still go straight to the channel, so the blocks themselves are not copied twice.
 *
 * <p>The length is the channel's size when this opens: the job's splits were cut from the sizes
 * planned, and a file that changes while it is read is not one the job can read correctly anyway.
 */
final class BufferedChannelInput implements SeekableInput {
  static final int BUFFER_BYTES = 8 * 1024;

  private final SeekableByteChannel channel;
  private final long lengthBytes;
  private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES).flip(); // unread bytes
  private long channelPosition; // the file offset just past the buffer's last byte

  BufferedChannelInput(SeekableByteChannel channel) throws IOException {
    this.channel = channel;
    this.lengthBytes = channel.size();
    this.channelPosition = channel.position();
  }

  @Override
  public void seek(long p) throws IOException {
    if (p < 0) {
      throw new IOException("Negative position: " + p);
    }
    long bufferStart = channelPosition - buffer.limit();
    if (p >= bufferStart && p <= channelPosition) {
      buffer.position((int) (p - bufferStart)); // still in what was read: no system call
      return;
    }
    channel.position(p);
    channelPosition = p;
    buffer.clear().flip();
  }

  @Override
  public long tell() {
    return channelPosition - buffer.remaining();
  }

  @Override
  public long length() {
    return lengthBytes;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    if (!buffer.hasRemaining()) {
      if (len >= BUFFER_BYTES) {
        buffer.clear().flip(); // it no longer ends where the channel is
        return readChannel(ByteBuffer.wrap(b, off, len));
      }
      buffer.clear();
      int n;
      try {
        n = readChannel(buffer);
      } finally {
        buffer.flip(); // on a failure too: it then holds nothing
      }
      if (n < 0) {
        return -1;
      }
    }
    int n = Math.min(len, buffer.remaining());
    buffer.get(b, off, n);
    return n;
  }

  /**
   * One read from the channel: bytes read, or -1 at its end. A read of nothing is an error rather
   * than an end: taken for the end, it would cut a split short and lose its last records.
   */
  private int readChannel(ByteBuffer dst) throws IOException {
    int n = channel.read(dst);
    if (n == 0) {
      throw new IOException("The input channel read no bytes (a non-blocking channel?)");
    }
    if (n > 0) {
      channelPosition += n;
    }
    return n;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
