package io.qkms.pipeline.parquet;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.parquet.io.DelegatingSeekableInputStream;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;

/**
 * A Parquet {@link InputFile} on any Beam file system (local, {@code s3://}), so footers are read
 * the way ParquetIO reads the file: through {@link FileSystems}, never Hadoop's file systems.
 */
final class BeamInputFile implements InputFile {
  private final String path;
  private final long lengthBytes;

  BeamInputFile(String path, long lengthBytes) {
    this.path = path;
    this.lengthBytes = lengthBytes;
  }

  @Override
  public long getLength() {
    return lengthBytes;
  }

  @Override
  public SeekableInputStream newStream() throws IOException {
    SeekableByteChannel channel =
        (SeekableByteChannel) FileSystems.open(FileSystems.matchNewResource(path, false));
    return new DelegatingSeekableInputStream(Channels.newInputStream(channel)) {
      @Override
      public long getPos() throws IOException {
        return channel.position();
      }

      @Override
      public void seek(long newPos) throws IOException {
        channel.position(newPos);
      }

      @Override
      public int read(ByteBuffer buf) throws IOException {
        return channel.read(buf);
      }

      @Override
      public void readFully(ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
          if (channel.read(buf) < 0) {
            throw new java.io.EOFException(path + " ends early");
          }
        }
      }
    };
  }

  @Override
  public String toString() {
    return path;
  }
}
