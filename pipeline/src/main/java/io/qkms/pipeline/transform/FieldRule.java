package io.qkms.pipeline.transform;

import io.qkms.pipeline.fields.ContextTemplate;
import io.qkms.pipeline.fields.FieldPath;
import java.io.Serializable;
import java.util.Map;
import java.util.Objects;

/**
 * One ciphertext field and, where it differs from the transform's defaults, its own source key,
 * destination key and encryption contexts. Immutable; unset settings (null) take the transform's
 * defaults.
 */
public final class FieldRule implements Serializable {
  private static final long serialVersionUID = 1L;

  private final FieldPath path;
  private final String sourceKeyId;
  private final String destinationKeyId;
  private final ContextTemplate sourceContext;
  private final ContextTemplate destinationContext;
  private final FieldEncoding encoding;

  private FieldRule(
      FieldPath path,
      String sourceKeyId,
      String destinationKeyId,
      ContextTemplate sourceContext,
      ContextTemplate destinationContext,
      FieldEncoding encoding) {
    this.path = path;
    this.sourceKeyId = sourceKeyId;
    this.destinationKeyId = destinationKeyId;
    this.sourceContext = sourceContext;
    this.destinationContext = destinationContext;
    this.encoding = encoding;
  }

  /**
   * The field at {@code path} ({@code card.number}, {@code items[].secret}), with the defaults.
   *
   * @throws IllegalArgumentException if the path is malformed
   */
  public static FieldRule of(String path) {
    return new FieldRule(FieldPath.parse(path), null, null, null, null, null);
  }

  /** The key the field's ciphertexts must have been made under; null: any (the blob's own). */
  public FieldRule withSourceKeyId(String keyId) {
    return new FieldRule(
        path, blankToNull(keyId), destinationKeyId, sourceContext, destinationContext, encoding);
  }

  public FieldRule withDestinationKeyId(String keyId) {
    return new FieldRule(
        path, sourceKeyId, blankToNull(keyId), sourceContext, destinationContext, encoding);
  }

  /** Values may refer to fields of the record: {@code {"tenant":"${tenant_id}"}}. */
  public FieldRule withSourceEncryptionContext(Map<String, String> context) {
    return new FieldRule(
        path,
        sourceKeyId,
        destinationKeyId,
        ContextTemplate.of(context),
        destinationContext,
        encoding);
  }

  public FieldRule withDestinationEncryptionContext(Map<String, String> context) {
    return new FieldRule(
        path, sourceKeyId, destinationKeyId, sourceContext, ContextTemplate.of(context), encoding);
  }

  /** What the field holds ({@link FieldEncoding}); null: the transform's default, {@code qkms}. */
  public FieldRule withEncoding(FieldEncoding value) {
    return new FieldRule(
        path, sourceKeyId, destinationKeyId, sourceContext, destinationContext, value);
  }

  public FieldPath path() {
    return path;
  }

  public String sourceKeyId() {
    return sourceKeyId;
  }

  public String destinationKeyId() {
    return destinationKeyId;
  }

  public ContextTemplate sourceContext() {
    return sourceContext;
  }

  public ContextTemplate destinationContext() {
    return destinationContext;
  }

  public FieldEncoding encoding() {
    return encoding;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FieldRule r
        && path.equals(r.path)
        && Objects.equals(sourceKeyId, r.sourceKeyId)
        && Objects.equals(destinationKeyId, r.destinationKeyId)
        && Objects.equals(sourceContext, r.sourceContext)
        && Objects.equals(destinationContext, r.destinationContext)
        && encoding == r.encoding;
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        path, sourceKeyId, destinationKeyId, sourceContext, destinationContext, encoding);
  }

  @Override
  public String toString() {
    return "FieldRule[" + path + "]";
  }
}
