package io.qkms.pipeline;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import io.qkms.pipeline.testing.JobRun;
import io.qkms.pipeline.testing.S3Server;
import io.qkms.pipeline.testing.Samples;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Object storage that fails the job: an endpoint nothing listens on, a bucket that does not exist,
 * credentials the server refuses are each one line and exit 2 before anything is written; a server
 * that fails the writes during the run leaves no {@code _SUCCESS} and no report, and the run says
 * it failed. Against a real S3 API server (S3Proxy on 127.0.0.1), on the Direct runner.
 */
class ObjectStorageFaultsTest {
  static final String BUCKET = "faults";

  @TempDir static Path dir;
  static Samples samples;
  static S3Server s3;

  @BeforeAll
  static void startTheServer() throws IOException {
    samples = Samples.made(dir.resolve("samples"));
    s3 = S3Server.start(dir);
    S3Server.useCredentials(S3Server.ACCESS_KEY, S3Server.SECRET_KEY);
    s3.createBucket(BUCKET);
    s3.put(BUCKET, "in/customers.avro", samples.data("customers.avro"));
  }

  @AfterEach
  void theRightCredentials() {
    S3Server.useCredentials(S3Server.ACCESS_KEY, S3Server.SECRET_KEY);
  }

  @AfterAll
  static void stopTheServer() {
    S3Server.clearCredentials();
    s3.close();
  }

  static JobRun run(String endpoint, String input, String output) {
    List<String> args =
        new ArrayList<>(
            List.of("--input=" + input, "--output=" + output, "--s3Endpoint=" + endpoint));
    args.addAll(samples.reKeyArgs(Samples.FIELDS));
    args.add("--runner=DirectRunner");
    return JobRun.of(args);
  }

  static String input() {
    return "s3://" + BUCKET + "/in/*.avro";
  }

  /** Exit 2 with {@code expected} in the first line, and nothing under {@code runs/<name>/}. */
  void assertRefusedBeforeWriting(JobRun r, String expected, String name) {
    assertThat(r.err(), r.exitCode(), is(ReKeyJob.EXIT_USAGE));
    String first = r.err().lines().findFirst().orElse("");
    assertThat(first, containsString(expected));
    assertThat(r.err(), not(containsString("Exception")));
    assertThat(r.err(), containsString("nothing was written"));
    assertThat(r.err() + r.out(), not(containsString(S3Server.SECRET_KEY)));
    assertThat(s3.keys(BUCKET, "runs/" + name + "/"), empty());
  }

  @Test
  void anEndpointNothingListensOn_isRefusedBeforeWriting_namingIt() throws IOException {
    String endpoint;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      endpoint = "http://127.0.0.1:" + s.getLocalPort();
    }
    JobRun r = run(endpoint, input(), "s3://" + BUCKET + "/runs/unreachable");
    assertRefusedBeforeWriting(r, "cannot reach the S3 endpoint " + endpoint, "unreachable");
  }

  @Test
  void aMissingInputBucket_isRefusedBeforeWriting_namingIt() {
    JobRun r =
        run(
            s3.endpoint().toString(),
            "s3://no-such-bucket/in/*.avro",
            "s3://" + BUCKET + "/runs/missing-in");
    assertRefusedBeforeWriting(
        r, "--input s3://no-such-bucket/in/*.avro: the bucket", "missing-in");
    assertThat(r.err(), containsString("no-such-bucket does not exist"));
  }

  @Test
  void aMissingOutputBucket_isRefusedBeforeWriting_namingIt() {
    JobRun r = run(s3.endpoint().toString(), input(), "s3://no-such-output/runs/x");
    assertRefusedBeforeWriting(r, "--output s3://no-such-output/runs/x: the bucket", "x");
    assertThat(r.err(), containsString("does not exist"));
  }

  @Test
  void credentialsTheServerRefuses_areRefusedBeforeWriting_withoutShowingThem() {
    S3Server.useCredentials(S3Server.ACCESS_KEY, "not-the-secret-0123456789");
    JobRun r = run(s3.endpoint().toString(), input(), "s3://" + BUCKET + "/runs/denied");
    assertRefusedBeforeWriting(r, "is denied", "denied");
    assertThat(r.err(), containsString("AWS default chain"));
    assertThat(r.err(), not(containsString("not-the-secret")));
  }

  @Test
  void anOutputPrefixHoldingObjects_isRefusedBeforeWriting_asAnOutputDirectoryThatIsNotEmpty() {
    s3.put(BUCKET, "runs/used/deeper/part-00000-of-00001.avro", samples.data("customers.avro"));

    JobRun r = run(s3.endpoint().toString(), input(), "s3://" + BUCKET + "/runs/used");

    assertThat(r.err(), r.exitCode(), is(ReKeyJob.EXIT_USAGE));
    assertThat(
        r.err().lines().findFirst().orElse(""),
        containsString("--output s3://" + BUCKET + "/runs/used is not empty"));
    // S3Proxy's filesystem backend also lists the folders it made, as keys ending in "/".
    assertThat(
        s3.keys(BUCKET, "runs/used/").stream().filter(k -> !k.endsWith("/")).toList(),
        is(List.of("runs/used/deeper/part-00000-of-00001.avro")));
  }

  /**
   * The object {@code runs/blocked} (a file in S3Proxy's filesystem backend) makes every write
   * under {@code runs/blocked/} fail on the server (HTTP 500), while the output prefix is empty, so
   * the checks before the run pass: the failure happens while the job writes.
   */
  @Test
  void writesTheServerFails_leaveNoSuccessMarkerNorReport_andTheRunSaysSo() throws IOException {
    s3.put(BUCKET, "runs/blocked", samples.data("customers.avro"));

    JobRun r = run(s3.endpoint().toString(), input(), "s3://" + BUCKET + "/runs/blocked");

    assertThat(r.out() + r.err(), r.exitCode(), not(is(ReKeyJob.EXIT_OK)));
    assertThat(r.out() + r.err(), not(containsString("SUCCEEDED")));
    assertThat(s3.keys(BUCKET, "runs/blocked/"), empty());
    assertThat(r.err(), containsString("cannot write the report in s3://" + BUCKET));
    // The log could not be copied beside the report: it is kept, and named, for the user.
    Matcher m = Pattern.compile("the run's log is (\\S+)").matcher(r.err());
    assertThat(r.err(), m.find(), is(true));
    Path log = Path.of(m.group(1));
    assertThat(Files.readString(log), containsString("s3://" + BUCKET + "/runs/blocked/"));
    Files.delete(log);
  }
}
