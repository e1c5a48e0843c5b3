package io.qkms.engine.wire;

/**
 * The JSON bodies of the QKMS ReEncrypt API page (/work/shared/spec/qkms-reencrypt-api.txt), copied
 * verbatim: the "Request Syntax" body, and the request and response of "Example 1".
 */
final class ReEncryptApiPage {
  static final String SOURCE_KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab";
  static final String DESTINATION_KEY_ID = "0987dcba-09fe-87dc-65ba-ab0987654321";

  /** The grant the page's GrantTokens value names. */
  static final String GRANT_ID = "3dae950c2596fff312aea9eb7b51c83741abb74d158924ae52386a382f0e4918";

  /** The page's CiphertextBlob: an AWS-format blob, which no QKMS key can decrypt. */
  static final String CIPHERTEXT_BLOB =
      "AQICAHiWj6qDgGqSQXkNHcsbq8Q3+q6lThTZqXXRRXYtGhEQXwEH5qV5eN9LQI6CtDwBUvNVAAAAfjB8BgkqhkiG9w0B"
          + "BwagbzBtAgEAMGgGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQM6v4DhjrVUqgdqVEuAgEQgDsgli8KqqW4qp0g"
          + "9ZWnHdRGYc3ZJzpV3xH9qVGFRwzVVKJNK/Ey/fGS2tl4TOQXLcTYJMEOxR8gPjA=";

  static final String GRANT_TOKEN =
      "AQpAM2RhZTk1MGMyNTk2ZmZmMzEyYWVhOWViN2I1MWM4Mzc0MWFiYjc0ZDE1ODkyNGFlNTIzODZhMzgyZjBlNDkxOAF4";

  static final String REQUEST_SYNTAX_BODY =
      """
      {
      "CiphertextBlob": "AQICAHiWj6qDgGqSQXkNHcsbq8Q3+q6lThTZqXXRRXYtGhEQXwEH5qV5eN9LQI6CtDwBUvNVAAAAfjB8BgkqhkiG9w0BBwagbzBtAgEAMGgGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQM6v4DhjrVUqgdqVEuAgEQgDsgli8KqqW4qp0g9ZWnHdRGYc3ZJzpV3xH9qVGFRwzVVKJNK/Ey/fGS2tl4TOQXLcTYJMEOxR8gPjA=",
      "SourceKeyId": "1234abcd-12ab-34cd-56ef-1234567890ab",
      "DestinationKeyId": "0987dcba-09fe-87dc-65ba-ab0987654321",
      "SourceEncryptionContext": {
      "Department": "Finance"
      },
      "DestinationEncryptionContext": {
      "Purpose": "Test"
      },
      "SourceEncryptionAlgorithm": "SYMMETRIC_DEFAULT",
      "DestinationEncryptionAlgorithm": "SYMMETRIC_DEFAULT",
      "GrantTokens": [
      "AQpAM2RhZTk1MGMyNTk2ZmZmMzEyYWVhOWViN2I1MWM4Mzc0MWFiYjc0ZDE1ODkyNGFlNTIzODZhMzgyZjBlNDkxOAF4"
      ]
      }""";

  static final String EXAMPLE_1_REQUEST_BODY =
      """
      {
      "CiphertextBlob": "AQICAHiWj6qDgGqSQXkNHcsbq8Q3+q6lThTZqXXRRXYtGhEQXwEH5qV5eN9LQI6CtDwBUvNVAAAAfjB8BgkqhkiG9w0BBwagbzBtAgEAMGgGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQM6v4DhjrVUqgdqVEuAgEQgDsgli8KqqW4qp0g9ZWnHdRGYc3ZJzpV3xH9qVGFRwzVVKJNK/Ey/fGS2tl4TOQXLcTYJMEOxR8gPjA=",
      "SourceKeyId": "1234abcd-12ab-34cd-56ef-1234567890ab",
      "DestinationKeyId": "0987dcba-09fe-87dc-65ba-ab0987654321",
      "SourceEncryptionContext": {
      "Department": "Finance"
      },
      "DestinationEncryptionContext": {
      "Purpose": "Test"
      }
      }""";

  static final String EXAMPLE_1_RESPONSE_BODY =
      """
      {
      "CiphertextBlob": "AQICAHiWj6qDgGqSQXkNHcsbq8Q3+q6lThTZqXXRRXYtGhEQXwEH5qV5eN9LQI6CtDwBUvNVAAAAfjB8BgkqhkiG9w0BBwagbzBtAgEAMGgGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQM6v4DhjrVUqgdqVEuAgEQgDsgli8KqqW4qp0g9ZWnHdRGYc3ZJzpV3xH9qVGFRwzVVKJNK/Ey/fGS2tl4TOQXLcTYJMEOxR8gPjA=",
      "SourceKeyId": "arn:verenc:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
      "KeyId": "arn:verenc:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321",
      "SourceEncryptionAlgorithm": "SYMMETRIC_DEFAULT",
      "DestinationEncryptionAlgorithm": "SYMMETRIC_DEFAULT"
      }""";

  private ReEncryptApiPage() {}
}
