package io.qkms.pipeline.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CreateBucketRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * A real S3 API server for the tests: S3Proxy (its self-contained jar, copied into {@code
 * target/s3proxy} by the build) in a JVM of its own on a free 127.0.0.1 port, with the filesystem
 * backend in a directory of the test's and SigV4 authentication. Started once per test class;
 * {@link #close()} stops it. Objects are files under {@link #bucketDir}, so tests read outputs
 * there.
 */
public final class S3Server implements AutoCloseable {
  public static final String ACCESS_KEY = "qkms-test-access";
  public static final String SECRET_KEY = "qkms-test-secret-0123456789";

  private final Process process;
  private final Path base;
  private final URI endpoint;
  private final S3Client client;

  private S3Server(Process process, Path base, URI endpoint) {
    this.process = process;
    this.base = base;
    this.endpoint = endpoint;
    this.client =
        S3Client.builder()
            .endpointOverride(endpoint)
            .forcePathStyle(true)
            .region(Region.US_EAST_1)
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
            .build();
  }

  /** Starts S3Proxy over {@code dir} and waits (at most a minute) until it listens. */
  public static S3Server start(Path dir) throws IOException {
    Path jar = Launcher.ROOT.resolve("pipeline/target/s3proxy/s3proxy.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          jar + " is missing: the build copies it (process-test-resources)");
    }
    Path base = Files.createDirectories(dir.resolve("s3-data"));
    int port = freePort();
    URI endpoint = URI.create("http://127.0.0.1:" + port);
    Path properties = dir.resolve("s3proxy.properties");
    Files.writeString(
        properties,
        String.join(
            "\n",
            "s3proxy.endpoint=" + endpoint,
            "s3proxy.authorization=aws-v2-or-v4",
            "s3proxy.identity=" + ACCESS_KEY,
            "s3proxy.credential=" + SECRET_KEY,
            "jclouds.provider=filesystem",
            "jclouds.filesystem.basedir=" + base,
            ""),
        StandardCharsets.UTF_8);
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-jar",
                jar.toString(),
                "--properties",
                properties.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("s3proxy.log").toFile())
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
        return new S3Server(p, base, endpoint);
      } catch (IOException e) {
        if (!p.isAlive()) {
          throw new IllegalStateException(
              "S3Proxy exited: " + Files.readString(dir.resolve("s3proxy.log")));
        }
        sleep(100);
      }
    }
    p.destroyForcibly();
    throw new IllegalStateException("S3Proxy did not listen on " + endpoint);
  }

  public URI endpoint() {
    return endpoint;
  }

  /** The files of a bucket: its objects, by key. */
  public Path bucketDir(String bucket) {
    return base.resolve(bucket);
  }

  public void createBucket(String bucket) {
    client.createBucket(CreateBucketRequest.builder().bucket(bucket).build());
  }

  /** Uploads a local file as {@code s3://bucket/key}. */
  public void put(String bucket, String key, Path file) {
    client.putObject(
        PutObjectRequest.builder().bucket(bucket).key(key).build(), RequestBody.fromFile(file));
  }

  /** The keys of every object under {@code prefix}. */
  public List<String> keys(String bucket, String prefix) {
    return client.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents().stream()
        .map(o -> o.key())
        .sorted()
        .toList();
  }

  /**
   * The AWS default chain's credentials, as the job's workers in this JVM find them (system
   * properties come first in the chain); {@link #clearCredentials} removes them.
   */
  public static void useCredentials(String accessKey, String secretKey) {
    System.setProperty("aws.accessKeyId", accessKey);
    System.setProperty("aws.secretAccessKey", secretKey);
  }

  public static void clearCredentials() {
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
  }

  /** The same credentials for a process of its own (a Flink TaskManager, a launcher). */
  public static Map<String, String> credentialsEnvironment() {
    return Map.of(
        "AWS_ACCESS_KEY_ID", ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY", SECRET_KEY,
        "AWS_REGION", "us-east-1");
  }

  @Override
  public void close() {
    client.close();
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  /** Deletes the bucket data (the server must be stopped). */
  public void deleteData() {
    try {
      TestDirs.deleteTree(base);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
