package io.qkms.http.sigv4;

import java.util.List;

/** What SigV4 signs of an HTTP request, as it arrived (the body is passed on its own). */
public interface SignableRequest {
  /** The method, e.g. {@code POST}. */
  String method();

  /** The path as sent on the request line, still percent-encoded, e.g. {@code /}. */
  String rawPath();

  /**
   * The query as sent, still percent-encoded, without the '?'; null or empty when there is none.
   */
  String rawQuery();

  /**
   * Every value of the header with this lower-case name, one per header line, in the order they
   * arrived; empty if there is none.
   */
  List<String> headerValues(String lowerCaseName);
}
