package io.qkms.pipeline.testing;

/**
 * The sample data's {@link io.qkms.samples.data.SampleData} under its former name, for the test
 * classes that still import it from here; it goes once they import it from there.
 */
public final class SampleData extends io.qkms.samples.data.SampleData {
  private SampleData() {}
}
