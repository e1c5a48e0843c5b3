package io.qkms.pipeline;

import io.qkms.pipeline.s3.S3EndpointOptions;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsRegistrar;

/** Registers {@link ReKeyOptions} (META-INF/services), so every JVM of a job knows them. */
public final class ReKeyOptionsRegistrar implements PipelineOptionsRegistrar {
  @Override
  public Iterable<Class<? extends PipelineOptions>> getPipelineOptions() {
    return List.of(ReKeyOptions.class, S3EndpointOptions.class);
  }
}
