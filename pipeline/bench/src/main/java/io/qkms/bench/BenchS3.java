package io.qkms.bench;

import io.qkms.pipeline.s3.S3Clients;
import io.qkms.pipeline.s3.S3EndpointOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The S3 API server of the bench's Parquet section: S3Proxy (its self-contained jar, copied into
 * {@code pipeline/bench/target/s3proxy} by the build) in a JVM of its own on a free 127.0.0.1 port,
 * filesystem backend under a directory of the bench's, SigV4. The job reaches it as a user's job
 * reaches object storage: {@code --s3Endpoint} and credentials from the environment.
 */
final class BenchS3 implements AutoCloseable {
  private static final String ACCESS_KEY = "qkms-bench-access";
  private static final String SECRET_KEY = "qkms-bench-secret-0123456789";

  private final Process process;
  private final URI endpoint;
  private final S3Client client;

  private BenchS3(Process process, URI endpoint) {
    this.process = process;
    this.endpoint = endpoint;
    // The job's own S3 client for an endpoint of one's own (path style, the checksums S3 servers
    // other than AWS's take), with the bench's credentials.
    S3EndpointOptions o = PipelineOptionsFactory.as(S3EndpointOptions.class);
    o.setS3Endpoint(endpoint.toString());
    o.setAwsCredentialsProvider(
        StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)));
    this.client = new S3Clients().createBuilder(o).build();
  }

  /** Starts S3Proxy from {@code jar} with {@code java} over a fresh {@code dir}; waits for it. */
  static BenchS3 start(Path jar, String java, Path dir) throws IOException, InterruptedException {
    if (!Files.isRegularFile(jar)) {
      throw new IOException(jar + " is missing: the bench module's build copies it");
    }
    Bench.deleteTree(dir);
    Path data = Files.createDirectories(dir.resolve("data"));
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
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
            "jclouds.filesystem.basedir=" + data,
            ""),
        StandardCharsets.UTF_8);
    Path log = dir.resolve("s3proxy.log");
    Process p =
        new ProcessBuilder(
                java, "-Xmx512m", "-jar", jar.toString(), "--properties", properties.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
        return new BenchS3(p, endpoint);
      } catch (IOException e) {
        if (!p.isAlive()) {
          throw new IOException("S3Proxy exited (" + p.exitValue() + "; log: " + log + ")");
        }
        Thread.sleep(100);
      }
    }
    p.destroyForcibly();
    throw new IOException("S3Proxy did not listen on " + endpoint + " in 60 s (log: " + log + ")");
  }

  URI endpoint() {
    return endpoint;
  }

  void createBucket(String bucket) {
    client.createBucket(b -> b.bucket(bucket));
  }

  void put(String bucket, String key, Path file) {
    client.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromFile(file));
  }

  /** Deletes every object under {@code prefix}. */
  void deleteObjects(String bucket, String prefix) {
    for (S3Object o :
        client.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents()) {
      client.deleteObject(b -> b.bucket(bucket).key(o.key()));
    }
  }

  /** The credentials, for the job's environment (the AWS default chain reads them there). */
  Map<String, String> credentialsEnvironment() {
    return Map.of(
        "AWS_ACCESS_KEY_ID", ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY", SECRET_KEY,
        "AWS_REGION", "us-east-1");
  }

  @Override
  public void close() throws InterruptedException {
    client.close();
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }
}
