package io.qkms.engine.wire;

import java.time.DateTimeException;
import java.time.LocalDate;

/**
 * UTC timestamps of a fixed layout read by hand, where {@code java.time}'s parsers cost
 * microseconds too often: the instants of a key store at every open, the SigV4 date of every
 * request. The caller checks the separators of its layout and says where the fields start.
 */
public final class Timestamps {
  /** What {@link #epochSecond} returns for a field that is not digits or out of range. */
  public static final long INVALID = Long.MIN_VALUE;

  private Timestamps() {}

  /**
   * The epoch second of the date and time in {@code s} whose four-digit year starts at {@code
   * yearAt} and two-digit month, day, hour, minute and second at the offsets given; {@link
   * #INVALID} if a field is not all digits or not a real date or time (e.g. February 30).
   */
  public static long epochSecond(
      String s, int yearAt, int monthAt, int dayAt, int hourAt, int minuteAt, int secondAt) {
    int year = digits(s, yearAt, yearAt + 4);
    int month = digits(s, monthAt, monthAt + 2);
    int day = digits(s, dayAt, dayAt + 2);
    int hour = digits(s, hourAt, hourAt + 2);
    int minute = digits(s, minuteAt, minuteAt + 2);
    int second = digits(s, secondAt, secondAt + 2);
    if (year < 0
        || month < 1
        || month > 12
        || day < 1
        || day > 31
        || hour < 0
        || hour > 23
        || minute < 0
        || minute > 59
        || second < 0
        || second > 59) {
      return INVALID;
    }
    try {
      return LocalDate.of(year, month, day).toEpochDay() * 86_400
          + hour * 3600
          + minute * 60
          + second;
    } catch (DateTimeException e) {
      return INVALID; // e.g. February 30
    }
  }

  /** The decimal number in {@code s[from, to)}, or -1 if a character is not a digit. */
  public static int digits(String s, int from, int to) {
    int v = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }
}
