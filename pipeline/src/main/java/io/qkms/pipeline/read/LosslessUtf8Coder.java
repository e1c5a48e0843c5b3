package io.qkms.pipeline.read;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.util.VarInt;
import org.apache.beam.sdk.values.TypeDescriptor;

/**
 * The coder of text lines read with {@link TextLines}: a length and the line's original bytes
 * ({@link LosslessUtf8}). Beam's {@code StringUtf8Coder} would turn every byte escape into a {@code
 * ?} each time a runner encodes the line.
 */
public final class LosslessUtf8Coder extends AtomicCoder<String> {
  private static final long serialVersionUID = 1L;
  private static final LosslessUtf8Coder INSTANCE = new LosslessUtf8Coder();

  private LosslessUtf8Coder() {}

  public static LosslessUtf8Coder of() {
    return INSTANCE;
  }

  @Override
  public void encode(String value, OutputStream out) throws IOException {
    if (value == null) {
      throw new CoderException("Cannot encode a null line");
    }
    byte[] bytes;
    try {
      bytes = LosslessUtf8.encode(value);
    } catch (IllegalArgumentException e) {
      throw new CoderException(e.getMessage());
    }
    VarInt.encode(bytes.length, out);
    out.write(bytes);
  }

  @Override
  public String decode(InputStream in) throws IOException {
    int length = VarInt.decodeInt(in);
    if (length < 0) {
      throw new CoderException("Negative line length " + length);
    }
    byte[] bytes = in.readNBytes(length);
    if (bytes.length != length) {
      throw new EOFException("A line ended after " + bytes.length + " of its " + length + " bytes");
    }
    return LosslessUtf8.decode(bytes, 0, length);
  }

  @Override
  public void verifyDeterministic() {}

  @Override
  public boolean consistentWithEquals() {
    return true;
  }

  @Override
  public TypeDescriptor<String> getEncodedTypeDescriptor() {
    return TypeDescriptor.of(String.class);
  }

  private Object readResolve() {
    return INSTANCE;
  }
}
