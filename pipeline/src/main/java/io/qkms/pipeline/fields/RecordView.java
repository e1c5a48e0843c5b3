package io.qkms.pipeline.fields;

import java.util.Arrays;

/**
 * What a {@link RecordAccessor} found in one record: every occurrence of a ciphertext field (in a
 * fixed traversal order, which {@link RecordAccessor#rewrite} follows again), how many were null or
 * absent, and the values of the fields that encryption contexts refer to. One view is reused for
 * every record a DoFn instance processes, so scanning allocates little.
 */
public final class RecordView {
  int size;
  int[] target = new int[4];
  byte[][] ciphertext = new byte[4][];
  int[] start = new int[4];
  int[] end = new int[4];
  int nulls;
  String[] references = new String[0];
  String[] invalidReferences = new String[0];

  /** Occurrences of ciphertext fields holding a value (null ones are only counted). */
  public int size() {
    return size;
  }

  /** Which target path (index into the accessor's target list) occurrence {@code i} belongs to. */
  public int target(int i) {
    return target[i];
  }

  /** The decoded ciphertext blob of occurrence {@code i}. */
  public byte[] ciphertext(int i) {
    return ciphertext[i];
  }

  /** Ciphertext fields that were null or absent in this record (passed through unchanged). */
  public int nulls() {
    return nulls;
  }

  /**
   * The value of reference {@code r} as context text, or null if the field is null or absent in
   * this record.
   */
  public String reference(int r) {
    return references[r];
  }

  /**
   * Why reference {@code r} cannot be used as context text (e.g. it is an object), or null if it
   * can.
   */
  public String invalidReference(int r) {
    return invalidReferences[r];
  }

  void reset(int referenceCount) {
    for (int i = 0; i < size; i++) {
      ciphertext[i] = null;
    }
    size = 0;
    nulls = 0;
    if (references.length != referenceCount) {
      references = new String[referenceCount];
      invalidReferences = new String[referenceCount];
    } else {
      Arrays.fill(references, null);
      Arrays.fill(invalidReferences, null);
    }
  }

  void add(int targetIndex, byte[] blob, int startOffset, int endOffset) {
    if (size == target.length) {
      int n = size * 2;
      target = Arrays.copyOf(target, n);
      ciphertext = Arrays.copyOf(ciphertext, n);
      start = Arrays.copyOf(start, n);
      end = Arrays.copyOf(end, n);
    }
    target[size] = targetIndex;
    ciphertext[size] = blob;
    start[size] = startOffset;
    end[size] = endOffset;
    size++;
  }
}
