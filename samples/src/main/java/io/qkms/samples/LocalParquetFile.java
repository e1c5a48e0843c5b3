package io.qkms.samples;

import java.nio.file.Path;

/**
 * The sample data's {@link io.qkms.samples.data.LocalParquetFile} under its former name, for the
 * benchmarks' Parquet input until it imports the class from there; then this one goes.
 */
public final class LocalParquetFile extends io.qkms.samples.data.LocalParquetFile {
  public LocalParquetFile(Path path) {
    super(path);
  }
}
