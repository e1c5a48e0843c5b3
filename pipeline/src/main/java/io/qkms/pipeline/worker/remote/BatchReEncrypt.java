package io.qkms.pipeline.worker.remote;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qkms.pipeline.worker.WorkerKms;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.http.async.AsyncExecuteRequest;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.http.async.SdkAsyncHttpResponseHandler;
import software.amazon.awssdk.http.async.SdkHttpContentPublisher;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;

/**
 * {@code QkmsService.BatchReEncrypt}, which the AWS SDK has no model for: up to 1,000 ReEncrypt
 * requests in one signed POST, one result per item in order, each the ReEncrypt response or the
 * item's error (the wire format agreed with {@code qkms serve}: {@code {"Items": [...]}} in, {@code
 * {"Results": [...]}} out). Sent with the SDK's HTTP client and signed with its SigV4 signer
 * (service {@code kms}), like every other call.
 */
final class BatchReEncrypt {
  static final String TARGET = "QkmsService.BatchReEncrypt";
  private static final String JSON_11 = "application/x-amz-json-1.1";
  private static final JsonFactory FACTORY = new JsonFactory();
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One item's result: the new blob and the source key's ARN, or the error answered for it. */
  record Result(byte[] ciphertext, String sourceKeyArn, RemoteErrors.Failure failure) {}

  private final SdkAsyncHttpClient http;
  private final URI endpoint;
  private final String region;
  private final AwsCredentialsProvider credentials;
  private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();

  BatchReEncrypt(
      SdkAsyncHttpClient http, URI endpoint, String region, AwsCredentialsProvider credentials) {
    this.http = http;
    this.endpoint = endpoint;
    this.region = region;
    this.credentials = credentials;
  }

  /**
   * Sends the calls as one batch.
   *
   * @return one result per call, in order; or, when the whole request failed (an error status, no
   *     answer), a future failed with the exception, or with {@link RequestFailed}
   */
  CompletableFuture<List<Result>> send(List<? extends WorkerKms.Call> calls) {
    byte[] body = encode(calls);
    SdkHttpRequest unsigned =
        SdkHttpRequest.builder()
            .method(SdkHttpMethod.POST)
            .uri(endpoint.resolve("/"))
            .putHeader("Content-Type", JSON_11)
            .putHeader("X-Amz-Target", TARGET)
            .putHeader("Content-Length", Integer.toString(body.length))
            .build();
    CompletableFuture<List<Result>> out = new CompletableFuture<>();
    SignedRequest signed;
    try {
      signed =
          signer.sign(
              r ->
                  r.identity(credentials.resolveCredentials())
                      .request(unsigned)
                      .payload(ContentStreamProvider.fromByteArrayUnsafe(body))
                      .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "kms")
                      .putProperty(AwsV4HttpSigner.REGION_NAME, region));
    } catch (RuntimeException e) {
      out.completeExceptionally(e);
      return out;
    }
    Collect collect = new Collect();
    http.execute(
            AsyncExecuteRequest.builder()
                .request(signed.request())
                .requestContentPublisher(new Body(body))
                .responseHandler(collect)
                .build())
        .whenComplete(
            (v, error) -> {
              if (error != null) {
                collect.body.completeExceptionally(error);
              } else if (!collect.streamed) {
                collect.complete(); // an answer without a body
              }
            });
    collect.body.whenComplete(
        (answer, error) -> {
          if (error != null) {
            out.completeExceptionally(error);
            return;
          }
          try {
            out.complete(decode(answer.status, answer.bytes, calls.size()));
          } catch (RuntimeException e) {
            out.completeExceptionally(e);
          }
        });
    return out;
  }

  /** The whole batch was answered with an error: its code, message and status. */
  static final class RequestFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient RemoteErrors.Failure failure;

    RequestFailed(RemoteErrors.Failure failure) {
      super(failure.code() + ": " + failure.message());
      this.failure = failure;
    }
  }

  static byte[] encode(List<? extends WorkerKms.Args> calls) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256 * calls.size());
    try (JsonGenerator g = FACTORY.createGenerator(bytes)) {
      g.writeStartObject();
      g.writeArrayFieldStart("Items");
      for (WorkerKms.Args c : calls) {
        g.writeStartObject();
        g.writeFieldName("CiphertextBlob");
        g.writeBinary(c.ciphertext());
        if (c.sourceKeyId() != null) {
          g.writeStringField("SourceKeyId", c.sourceKeyId());
        }
        writeContext(g, "SourceEncryptionContext", c.sourceContext());
        g.writeStringField("DestinationKeyId", c.destinationKeyId());
        writeContext(g, "DestinationEncryptionContext", c.destinationContext());
        if (c.grantTokens() != null && !c.grantTokens().isEmpty()) {
          g.writeArrayFieldStart("GrantTokens");
          for (String t : c.grantTokens()) {
            g.writeString(t);
          }
          g.writeEndArray();
        }
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static void writeContext(JsonGenerator g, String name, Map<String, String> context)
      throws IOException {
    if (context == null || context.isEmpty()) {
      return;
    }
    g.writeObjectFieldStart(name);
    for (Map.Entry<String, String> e : context.entrySet()) {
      g.writeStringField(e.getKey(), e.getValue());
    }
    g.writeEndObject();
  }

  /**
   * @throws RequestFailed for an error status (the whole batch failed)
   * @throws IllegalStateException for a 200 answer that is not one result per item
   */
  static List<Result> decode(int status, byte[] body, int items) {
    if (status == 200) {
      return results(body, items);
    }
    JsonNode root;
    try {
      root = body.length == 0 ? null : JSON.readTree(body);
    } catch (IOException e) {
      root = null;
    }
    String type = root == null ? null : text(root, "__type");
    String message = root == null ? null : text(root, "message");
    if (message == null && root != null) {
      message = text(root, "Message");
    }
    throw new RequestFailed(RemoteErrors.ofAnswer(type, message, status));
  }

  /**
   * The results of a 200 answer, read as a stream: the answer to every batch is read on the HTTP
   * client's event loop, and a tree of it (then each blob's text decoded again) cost more than the
   * rest of its handling there.
   */
  private static List<Result> results(byte[] body, int items) {
    List<Result> out = null;
    try (JsonParser p = FACTORY.createParser(body)) {
      if (p.nextToken() == JsonToken.START_OBJECT) {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          JsonToken value = p.nextToken();
          if ("Results".equals(name) && value == JsonToken.START_ARRAY) {
            out = new ArrayList<>(items);
            while (p.nextToken() != JsonToken.END_ARRAY) {
              out.add(result(p));
            }
          } else {
            out = "Results".equals(name) ? null : out;
            p.skipChildren();
          }
        }
      }
    } catch (BadResult e) {
      throw new IllegalStateException("BatchReEncrypt answered a result without a blob", e);
    } catch (IOException e) {
      out = null; // not JSON: no Results array
    }
    if (out == null || out.size() != items) {
      throw new IllegalStateException(
          "BatchReEncrypt answered "
              + (out == null
                  ? "without a Results array"
                  : out.size() + " results for " + items + " items"));
    }
    return out;
  }

  /** One result, the parser at its first token; the error when it has a {@code __type}. */
  private static Result result(JsonParser p) throws IOException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      throw new BadResult();
    }
    byte[] blob = null;
    String sourceKeyId = null;
    String type = null;
    String message = null;
    String upperMessage = null;
    boolean isError = false;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken value = p.nextToken();
      switch (name) {
        case "CiphertextBlob" -> {
          if (value != JsonToken.VALUE_STRING) {
            p.skipChildren();
            blob = null;
          } else {
            try {
              blob = p.getBinaryValue();
            } catch (IOException e) {
              blob = null; // not base64: an error below, unless the item is an error anyway
            }
          }
        }
        case "SourceKeyId" -> sourceKeyId = scalar(p, value);
        case "__type" -> {
          isError = true;
          type = scalar(p, value);
        }
        case "message" -> message = scalar(p, value);
        case "Message" -> upperMessage = scalar(p, value);
        default -> p.skipChildren();
      }
    }
    if (isError) {
      return new Result(
          null, null, RemoteErrors.ofAnswer(type, message != null ? message : upperMessage, 400));
    }
    if (blob == null) {
      throw new BadResult();
    }
    return new Result(blob, sourceKeyId, null);
  }

  /** A member's text as the tree model gives it: null for JSON null, "" for an object or array. */
  private static String scalar(JsonParser p, JsonToken value) throws IOException {
    if (value == JsonToken.VALUE_NULL) {
      return null;
    }
    if (value.isStructStart()) {
      p.skipChildren();
      return "";
    }
    return p.getText();
  }

  /** A 200 answer's result that is neither a ReEncrypt response nor an error. */
  private static final class BadResult extends IOException {
    private static final long serialVersionUID = 1L;
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  /** The request body, with its length (the HTTP client sends Content-Length). */
  private static final class Body implements SdkHttpContentPublisher {
    private final byte[] bytes;

    Body(byte[] bytes) {
      this.bytes = bytes;
    }

    @Override
    public Optional<Long> contentLength() {
      return Optional.of((long) bytes.length);
    }

    @Override
    public void subscribe(Subscriber<? super ByteBuffer> s) {
      AsyncRequestBody.fromBytesUnsafe(bytes).subscribe(s); // never changed once encoded
    }
  }

  private record Answer(int status, byte[] bytes) {}

  /** Collects the status and the body of the answer. */
  private static final class Collect implements SdkAsyncHttpResponseHandler {
    final CompletableFuture<Answer> body = new CompletableFuture<>();
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private volatile int status = -1;
    volatile boolean streamed;

    @Override
    public void onHeaders(SdkHttpResponse headers) {
      status = headers.statusCode();
    }

    @Override
    public void onStream(Publisher<ByteBuffer> stream) {
      streamed = true;
      stream.subscribe(
          new Subscriber<ByteBuffer>() {
            @Override
            public void onSubscribe(Subscription s) {
              s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(ByteBuffer b) {
              synchronized (bytes) {
                byte[] chunk = new byte[b.remaining()];
                b.get(chunk);
                bytes.write(chunk, 0, chunk.length);
              }
            }

            @Override
            public void onError(Throwable t) {
              body.completeExceptionally(t);
            }

            @Override
            public void onComplete() {
              complete();
            }
          });
    }

    @Override
    public void onError(Throwable t) {
      body.completeExceptionally(t);
    }

    void complete() {
      synchronized (bytes) {
        body.complete(new Answer(status, bytes.toByteArray()));
      }
    }
  }
}
