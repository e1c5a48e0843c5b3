package io.qkms.pipeline;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

import java.util.Map;
import java.util.Properties;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;

class AwsInstanceMetadataTest {
  private static ReKeyOptions options(String... args) {
    PipelineOptionsFactory.register(ReKeyOptions.class);
    return PipelineOptionsFactory.fromArgs(args).as(ReKeyOptions.class);
  }

  @Test
  void aRunOnLocalFilesOverAKeyStore_turnsTheProbeOff() {
    Properties system = new Properties();
    boolean off =
        AwsInstanceMetadata.offUnlessUsed(
            options("--input=/data/in.avro", "--output=/data/out", "--keystore=/ks"),
            system,
            Map.of());
    assertThat(off, is(true));
    assertThat(system.getProperty(AwsInstanceMetadata.PROPERTY), equalTo("true"));
  }

  @Test
  void aRunTouchingObjectStorage_keepsTheSdksWholeChain() {
    for (String[] args :
        new String[][] {
          {"--input=s3://bucket/in/*.parquet", "--output=/data/out"},
          {"--input=/data/in.avro", "--output=s3://bucket/runs/1"},
          {"--input=/data/in.avro", "--output=/data/out", "--deadLetter=s3://bucket/dlq"},
          {"--replayDeadLetters=s3://bucket/dlq/*.avro", "--output=/data/out"}
        }) {
      Properties system = new Properties();
      assertThat(
          String.join(" ", args),
          AwsInstanceMetadata.offUnlessUsed(options(args), system, Map.of()),
          is(false));
      assertThat(system.getProperty(AwsInstanceMetadata.PROPERTY), nullValue());
    }
  }

  @Test
  void aRunThroughAKmsEndpoint_keepsTheSdksWholeChain() {
    Properties system = new Properties();
    boolean off =
        AwsInstanceMetadata.offUnlessUsed(
            options(
                "--input=/data/in.avro",
                "--output=/data/out",
                "--kmsEndpoint=https://kms.eu-west-1.amazonaws.com"),
            system,
            Map.of());
    assertThat(off, is(false));
    assertThat(system.getProperty(AwsInstanceMetadata.PROPERTY), nullValue());
  }

  @Test
  void theUsersOwnSetting_isLeftAsItIs() {
    Properties system = new Properties();
    system.setProperty(AwsInstanceMetadata.PROPERTY, "false");
    ReKeyOptions local = options("--input=/data/in.avro", "--output=/data/out");
    assertThat(AwsInstanceMetadata.offUnlessUsed(local, system, Map.of()), is(false));
    assertThat(system.getProperty(AwsInstanceMetadata.PROPERTY), equalTo("false"));

    Properties fresh = new Properties();
    assertThat(
        AwsInstanceMetadata.offUnlessUsed(
            local, fresh, Map.of(AwsInstanceMetadata.VARIABLE, "false")),
        is(false));
    assertThat(fresh.getProperty(AwsInstanceMetadata.PROPERTY), nullValue());
  }
}
