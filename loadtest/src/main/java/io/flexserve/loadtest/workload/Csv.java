package io.flexserve.loadtest.workload;

import java.util.ArrayList;
import java.util.List;

/**
 * An RFC 4180 CSV reader: records of fields, quoted fields may hold commas, doubled quotes and line
 * breaks.
 */
final class Csv {
  private Csv() {}

  /**
   * Splits {@code text} into records. Records end at LF or CRLF; a final line break is optional.
   *
   * @throws IllegalArgumentException if a quoted field is not closed, or text follows a closing
   *     quote
   */
  static List<List<String>> parse(String text) {
    List<List<String>> rows = new ArrayList<>();
    List<String> row = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    int line = 1;
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '"' && field.length() == 0) {
        int startLine = line;
        i++;
        while (true) {
          if (i >= text.length()) {
            throw new IllegalArgumentException(
                "line " + startLine + ": quoted field is not closed");
          }
          char q = text.charAt(i++);
          if (q == '"') {
            if (i < text.length() && text.charAt(i) == '"') {
              field.append('"');
              i++;
            } else {
              break;
            }
          } else {
            line += q == '\n' ? 1 : 0;
            field.append(q);
          }
        }
        if (i < text.length() && ",\r\n".indexOf(text.charAt(i)) < 0) {
          throw new IllegalArgumentException("line " + line + ": text after a closing quote");
        }
        continue;
      }
      if (c == ',') {
        row.add(field.toString());
        field.setLength(0);
      } else if (c == '\n' || c == '\r') {
        if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
          i++;
        }
        row.add(field.toString());
        field.setLength(0);
        rows.add(row);
        row = new ArrayList<>();
        line++;
      } else {
        field.append(c);
      }
      i++;
    }
    if (field.length() > 0 || !row.isEmpty()) {
      row.add(field.toString());
      rows.add(row);
    }
    return rows;
  }
}
