package io.qkms.pipeline.read;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A file channel that counts the calls that would be system calls on a real one, and can be made to
 * read nothing.
 */
final class CountingChannel implements SeekableByteChannel {
  private final FileChannel file;
  int reads;
  int sizes;
  int positionQueries;
  boolean closed;
  boolean readsNothing; // as a non-blocking channel with nothing ready would

  CountingChannel(Path path) throws IOException {
    this.file = FileChannel.open(path, StandardOpenOption.READ);
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    reads++;
    return readsNothing ? 0 : file.read(dst);
  }

  @Override
  public int write(ByteBuffer src) {
    throw new UnsupportedOperationException();
  }

  @Override
  public long position() throws IOException {
    positionQueries++;
    return file.position();
  }

  @Override
  public SeekableByteChannel position(long newPosition) throws IOException {
    file.position(newPosition);
    return this;
  }

  @Override
  public long size() throws IOException {
    sizes++;
    return file.size();
  }

  @Override
  public SeekableByteChannel truncate(long size) {
    throw new UnsupportedOperationException();
  }

  @Override
  public boolean isOpen() {
    return file.isOpen();
  }

  @Override
  public void close() throws IOException {
    closed = true;
    file.close();
  }
}
