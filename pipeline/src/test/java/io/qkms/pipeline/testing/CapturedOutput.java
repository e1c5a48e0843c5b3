package io.qkms.pipeline.testing;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Copies everything written to System.out and System.err (where the job's logs go: slf4j-simple
 * looks System.err up on every line, so Flink's and Beam's threads are captured too) while still
 * passing it on.
 */
public final class CapturedOutput implements AutoCloseable {
  private final PrintStream originalOut = System.out;
  private final PrintStream originalErr = System.err;
  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

  public CapturedOutput() {
    System.setOut(new PrintStream(new Tee(originalOut, captured), true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(new Tee(originalErr, captured), true, StandardCharsets.UTF_8));
  }

  public synchronized String text() {
    return captured.toString(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    System.setOut(originalOut);
    System.setErr(originalErr);
  }

  private static final class Tee extends OutputStream {
    private final OutputStream a;
    private final ByteArrayOutputStream b;

    Tee(OutputStream a, ByteArrayOutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void write(int c) {
      synchronized (b) {
        b.write(c);
      }
      try {
        a.write(c);
      } catch (java.io.IOException e) {
        // the original stream's problem, not the capture's
      }
    }

    @Override
    public void write(byte[] buf, int off, int len) {
      synchronized (b) {
        b.write(buf, off, len);
      }
      try {
        a.write(buf, off, len);
      } catch (java.io.IOException e) {
        // as above
      }
    }
  }
}
