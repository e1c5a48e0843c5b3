package io.qkms.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The AWS CLI's shorthand syntax, the part QKMS needs: {@code k=v,k2=v2}, nested structures {@code
 * A={k=v},B=x}, lists {@code L=[a,b]}, and values in double or single quotes when they hold {@code
 * ,=}{}[]}. Every scalar is a string.
 */
final class Shorthand {
  private final String option;
  private final String s;
  private int pos;

  private Shorthand(String option, String s) {
    this.option = option;
    this.s = s;
  }

  /** Parses {@code text} as a structure of key=value pairs. */
  static ObjectNode parse(String option, String text) {
    Shorthand p = new Shorthand(option, text);
    ObjectNode node = p.pairs('\0');
    if (p.pos != text.length()) {
      throw p.error("unexpected '" + text.charAt(p.pos) + "'");
    }
    return node;
  }

  private ObjectNode pairs(char end) {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    if (end != '\0' && peek() == end) {
      return node;
    }
    for (; ; ) {
      String key = scalar("=").strip();
      if (key.isEmpty() || peek() != '=') {
        throw error("expected key=value");
      }
      pos++;
      if (node.has(key)) {
        throw error("'" + key + "' given twice");
      }
      node.set(key, value());
      if (peek() != ',') {
        return node;
      }
      pos++;
    }
  }

  private JsonNode value() {
    char c = peek();
    if (c == '{') {
      pos++;
      ObjectNode inner = pairs('}');
      expect('}');
      return inner;
    }
    if (c == '[') {
      pos++;
      ArrayNode list = JsonNodeFactory.instance.arrayNode();
      if (peek() != ']') {
        for (; ; ) {
          list.add(value());
          if (peek() != ',') {
            break;
          }
          pos++;
        }
      }
      expect(']');
      return list;
    }
    return JsonNodeFactory.instance.textNode(scalar(""));
  }

  /** A scalar up to a separator; quotes keep separators in it. */
  private String scalar(String extraStops) {
    char c = peek();
    if (c == '"' || c == '\'') {
      int close = s.indexOf(c, pos + 1);
      if (close < 0) {
        throw error("unclosed quote");
      }
      String v = s.substring(pos + 1, close);
      pos = close + 1;
      return v;
    }
    int start = pos;
    while (pos < s.length()
        && ",}]".indexOf(s.charAt(pos)) < 0
        && extraStops.indexOf(s.charAt(pos)) < 0) {
      pos++;
    }
    return s.substring(start, pos);
  }

  private char peek() {
    return pos < s.length() ? s.charAt(pos) : '\0';
  }

  private void expect(char c) {
    if (peek() != c) {
      throw error("expected '" + c + "'");
    }
    pos++;
  }

  private UsageException error(String what) {
    return new UsageException(
        "Error parsing parameter '"
            + option
            + "': "
            + what
            + " at position "
            + pos
            + " (use key=value,key2=value2, or JSON)");
  }
}
