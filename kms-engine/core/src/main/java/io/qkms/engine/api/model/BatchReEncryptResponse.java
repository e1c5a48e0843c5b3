package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * QkmsService.BatchReEncrypt: one result per item of the request, in the same order.
 *
 * @param results each the item's ReEncrypt response or its error
 */
public record BatchReEncryptResponse(@JsonProperty("Results") List<BatchReEncryptResult> results) {
  public BatchReEncryptResponse {
    results = Values.copy(results);
  }
}
