package io.qkms.pipeline.fields;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class FieldPathTest {
  @Test
  void parse_dottedPath_givesOneSegmentPerStep() {
    assertThat(
        FieldPath.parse("card.number").segments(),
        contains(new FieldPath.Segment("card", false), new FieldPath.Segment("number", false)));
  }

  @Test
  void parse_arrayStep_isMarked() {
    FieldPath p = FieldPath.parse("items[].secret");
    assertThat(
        p.segments(),
        contains(new FieldPath.Segment("items", true), new FieldPath.Segment("secret", false)));
    assertThat(p.crossesArray(), is(true));
    assertThat(p.toString(), equalTo("items[].secret"));
  }

  @Test
  void parse_emptyStep_isRejectedWithTheRule() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> FieldPath.parse("card..number"));
    assertThat(
        e.getMessage(),
        equalTo(
            "Invalid field path 'card..number': each step is a field name (letters, digits, _ or"
                + " -, not starting with a digit), optionally followed by [] for every element of"
                + " an array"));
  }

  @Test
  void parse_blank_isRejected() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> FieldPath.parse(" "));
    assertThat(e.getMessage(), equalTo("A field path must not be empty"));
  }

  @Test
  void isPrefixOf_nestedField_isTrue_andSiblingIsFalse() {
    assertThat(FieldPath.parse("card").isPrefixOf(FieldPath.parse("card.number")), is(true));
    assertThat(FieldPath.parse("items").isPrefixOf(FieldPath.parse("items[].secret")), is(true));
    assertThat(FieldPath.parse("card").isPrefixOf(FieldPath.parse("cards.number")), is(false));
    assertThat(FieldPath.parse("card.number").isPrefixOf(FieldPath.parse("card")), is(false));
  }
}
