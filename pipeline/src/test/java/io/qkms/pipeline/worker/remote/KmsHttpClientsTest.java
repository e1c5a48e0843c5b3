package io.qkms.pipeline.worker.remote;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.crt.CrtRuntimeException;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.http.crt.AwsCrtAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;

class KmsHttpClientsTest {

  @Test
  void anHttpEndpoint_getsTheCrtClient() {
    try (SdkAsyncHttpClient c = KmsHttpClients.open(spec("http://127.0.0.1:1"), null)) {
      assertThat(c, instanceOf(AwsCrtAsyncHttpClient.class));
    }
  }

  @Test
  void anHttpsEndpoint_getsTheNettyClient_onTheJdksTls() {
    try (SdkAsyncHttpClient c = KmsHttpClients.open(spec("https://127.0.0.1:1"), null)) {
      assertThat(c, instanceOf(NettyNioAsyncHttpClient.class));
    }
  }

  @Test
  void theSchemeDecides_inAnyCase() {
    assertThat(KmsHttpClients.crtFor(URI.create("HTTP://kms.internal:8471")), is(true));
    assertThat(KmsHttpClients.crtFor(URI.create("https://kms.us-east-1.amazonaws.com")), is(false));
  }

  @Test
  void anHttpEndpoint_whereTheCrtDoesNotLoad_getsTheNettyClient() {
    RemoteSpec spec = spec("http://127.0.0.1:1");
    try (SdkAsyncHttpClient noLibrary =
            KmsHttpClients.open(
                spec,
                null,
                n -> {
                  throw new UnsatisfiedLinkError("no aws-crt-jni for this platform");
                });
        SdkAsyncHttpClient failedInit =
            KmsHttpClients.open(
                spec,
                null,
                n -> {
                  throw new CrtRuntimeException("Unable to unpack AWS CRT lib");
                })) {
      assertThat(noLibrary, instanceOf(NettyNioAsyncHttpClient.class));
      assertThat(failedInit, instanceOf(NettyNioAsyncHttpClient.class));
    }
  }

  @Test
  void aCrtBuilderRefusingASetting_isNotTakenForAMissingLibrary_itPropagates() {
    IllegalArgumentException refused =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                KmsHttpClients.open(
                    spec("http://127.0.0.1:1"),
                    null,
                    n -> {
                      throw new IllegalArgumentException("maxConcurrency must be positive");
                    }));
    assertThat(refused.getMessage(), is("maxConcurrency must be positive"));
  }

  private static RemoteSpec spec(String endpoint) {
    return RemoteSpec.builder(endpoint, "us-east-1").build();
  }
}
