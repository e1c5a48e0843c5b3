package io.qkms.http;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import io.qkms.engine.keys.Region;
import io.qkms.engine.store.file.FileKeyStore;
import io.qkms.engine.store.file.RootKeySource;
import io.qkms.engine.wire.Json;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store the server cannot write (here its directory is gone, as a full disk or a lost mount would
 * fail it): the client gets KMSInternalException with AWS's generic message, never the store's path
 * or the I/O error, which are for the server's log.
 */
@Timeout(60)
class ServerFaultDetailsTest {
  @TempDir Path dir;

  @Test
  void storeThatCannotBeWritten_isKmsInternal500_withoutServerPaths() throws Exception {
    Path ks = dir.resolve("ks");
    FileKeyStore store = createStore(ks);
    try (TestEndpoint endpoint = serve(store)) {
      // The access key's secret is now in the server's memory: the request authenticates.
      assertThat(endpoint.call("ListKeys", "{}").statusCode(), equalTo(200));
      deleteRecursively(ks);

      HttpResponse<String> r = endpoint.call("CreateKey", "{}");

      assertThat(r.body(), r.statusCode(), equalTo(500));
      assertThat(
          Json.mapper().readTree(r.body()).get("__type").asText(), equalTo("KMSInternalException"));
      assertThat(
          Json.mapper().readTree(r.body()).get("message").asText(),
          equalTo(
              "The request was rejected because an internal exception occurred. The request can"
                  + " be retried."));
      assertThat(r.body(), not(containsString(dir.toString())));
      assertThat(r.body(), not(containsString("damaged")));
    } finally {
      store.close();
    }
  }

  @Test
  void storeFileDamagedOnDiskWhileServing_isNotOverwritten_andIsKmsInternal500() throws Exception {
    Path ks = dir.resolve("ks");
    FileKeyStore store = createStore(ks);
    try (TestEndpoint endpoint = serve(store)) {
      assertThat(endpoint.call("CreateKey", "{}").statusCode(), equalTo(200));
      Path file = ks.resolve(FileKeyStore.STORE_FILE);
      byte[] damaged = Files.readAllBytes(file);
      damaged[damaged.length - 1] ^= 1;
      Files.write(file, damaged);

      HttpResponse<String> r = endpoint.call("CreateKey", "{}");

      assertThat(r.body(), r.statusCode(), equalTo(500));
      assertThat(
          Json.mapper().readTree(r.body()).get("__type").asText(), equalTo("KMSInternalException"));
      assertThat(r.body(), not(containsString(dir.toString())));
      assertThat(Files.readAllBytes(file), equalTo(damaged));
    } finally {
      store.close();
    }
  }

  /** A file store in {@code ks} (the test's account and regions), its root key beside it. */
  private FileKeyStore createStore(Path ks) {
    return FileKeyStore.create(
        ks,
        TestEndpoint.ACCOUNT,
        List.of(Region.of("us-east-1"), Region.of("eu-west-1")),
        new RootKeySource.KeyFile(dir.resolve("root.key")));
  }

  /** An endpoint over {@code store} that keeps the access keys it read for five minutes. */
  private static TestEndpoint serve(FileKeyStore store) throws Exception {
    return TestEndpoint.start(
        store, Clock.systemUTC(), b -> b.credentialRefresh(Duration.ofMinutes(5)));
  }

  private static void deleteRecursively(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
