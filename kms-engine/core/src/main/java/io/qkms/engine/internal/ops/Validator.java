package io.qkms.engine.internal.ops;

import io.qkms.engine.api.errors.ValidationException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Collects request constraint violations and reports them as AWS does: {@code "1 validation error
 * detected: Value 'x' at 'keyId' failed to satisfy constraint: Member must ..."}, several joined by
 * {@code "; "}. Member names are the lower-camel field names; blob values (plaintext, ciphertext)
 * are never echoed.
 */
final class Validator {
  private final List<String> errors = new ArrayList<>();

  static Validator create() {
    return new Validator();
  }

  Validator required(String member, Object value) {
    if (value == null) {
      errors.add(
          "Value null at '" + member + "' failed to satisfy constraint: Member must not be null");
    }
    return this;
  }

  /** A string member that must be present and of {@code min..max} characters. */
  Validator required(String member, String value, int min, int max) {
    return required(member, value).length(member, value, min, max);
  }

  Validator length(String member, String value, int min, int max) {
    if (value == null) {
      return this;
    }
    int n = value.length();
    if (n > max) {
      fail(member, value, "Member must have length less than or equal to " + max);
    } else if (n < min) {
      fail(member, value, "Member must have length greater than or equal to " + min);
    }
    return this;
  }

  Validator blobLength(String member, byte[] value, int min, int max) {
    if (value == null) {
      return this;
    }
    if (value.length > max) {
      errors.add(
          "Value at '"
              + member
              + "' failed to satisfy constraint: Member must have length less than or equal to "
              + max);
    } else if (value.length < min) {
      errors.add(
          "Value at '"
              + member
              + "' failed to satisfy constraint: Member must have length greater than or equal to "
              + min);
    }
    return this;
  }

  Validator range(String member, Integer value, int min, int max) {
    if (value == null) {
      return this;
    }
    if (value > max) {
      fail(member, value, "Member must have value less than or equal to " + max);
    } else if (value < min) {
      fail(member, value, "Member must have value greater than or equal to " + min);
    }
    return this;
  }

  Validator oneOf(String member, String value, List<String> allowed) {
    if (value != null && !allowed.contains(value)) {
      fail(member, value, "Member must satisfy enum value set: " + allowed);
    }
    return this;
  }

  Validator eachOneOf(String member, List<String> values, List<String> allowed) {
    if (values != null) {
      for (String v : values) {
        if (v == null || !allowed.contains(v)) {
          fail(
              member,
              values,
              "Member must satisfy constraint: [Member must satisfy enum value set: "
                  + allowed
                  + "]");
          break;
        }
      }
    }
    return this;
  }

  /** A list of strings with a size range and a per-element length range. */
  Validator stringList(
      String member, List<String> values, int minSize, int maxSize, int minLen, int maxLen) {
    if (values == null) {
      return this;
    }
    if (values.size() > maxSize) {
      errors.add(
          "Value at '"
              + member
              + "' failed to satisfy constraint: Member must have length less than or equal to "
              + maxSize);
    } else if (values.size() < minSize) {
      errors.add(
          "Value at '"
              + member
              + "' failed to satisfy constraint: Member must have length greater than or equal to "
              + minSize);
    }
    for (String v : values) {
      if (v == null) {
        errors.add(
            "Value at '" + member + "' failed to satisfy constraint: Member must not be null");
        break;
      }
      if (v.length() > maxLen || v.length() < minLen) {
        errors.add(
            "Value at '"
                + member
                + "' failed to satisfy constraint: Member must satisfy constraint: [Member must"
                + " have length less than or equal to "
                + maxLen
                + ", Member must have length greater than or equal to "
                + minLen
                + "]");
        break;
      }
    }
    return this;
  }

  /** An encryption context: no null values; keys and values within the codec's limits. */
  Validator context(String member, Map<String, String> context) {
    if (context == null || isPlainlyValid(context)) {
      return this;
    }
    for (Map.Entry<String, String> e : context.entrySet()) {
      if (e.getKey() == null || e.getValue() == null) {
        errors.add(
            "Value at '"
                + member
                + "' failed to satisfy constraint: Map keys and values must not be null");
        return this;
      }
      if (e.getKey().isEmpty()) {
        errors.add(
            "Value at '"
                + member
                + "' failed to satisfy constraint: Map keys must have length greater than or"
                + " equal to 1");
        return this;
      }
    }
    return this;
  }

  /**
   * No null key or value and no empty key, found without iterating entries (each request's context
   * is a new map, and iterating its unmodifiable view allocates a wrapper per entry).
   */
  private static boolean isPlainlyValid(Map<String, String> context) {
    try {
      return !context.containsKey(null) && !context.containsValue(null) && !context.containsKey("");
    } catch (NullPointerException e) {
      return false; // a map that refuses null lookups: the loop checks it entry by entry
    }
  }

  /** Adds a free-form error for checks that span fields. */
  Validator error(boolean violated, String message) {
    if (violated) {
      errors.add(message);
    }
    return this;
  }

  private void fail(String member, Object value, String constraint) {
    errors.add(
        "Value '" + value + "' at '" + member + "' failed to satisfy constraint: " + constraint);
  }

  void throwIfInvalid() {
    if (!errors.isEmpty()) {
      throw new ValidationException(
          errors.size()
              + (errors.size() == 1 ? " validation error" : " validation errors")
              + " detected: "
              + String.join("; ", errors));
    }
  }
}
