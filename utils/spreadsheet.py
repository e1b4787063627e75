"""Cells of the CSV and XLSX files the add-on writes, safe to open in a
spreadsheet: a name like =HYPERLINK(...) typed by a reader must never run as
a formula at the print house or in the office.

CSV (OWASP's rule on CSV injection): a text cell starting with =, +, -, @, a
tab or a carriage return gets a leading single quote (so does a text that
would read as quoted, so that unquote_cell gives back every text as it was);
numbers the add-on computes (counts, amounts) stay numbers. XLSX: text is
written as a string cell, never as a formula or a link; numbers as numbers."""

import csv
import io

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """value as a CSV cell that no spreadsheet runs as a formula."""
    if isinstance(value, str) and (
        value.startswith(FORMULA_STARTS) or _is_quoted(value)
    ):
        return "'" + value
    return value


def unquote_cell(value):
    """The text of a cell written by safe_cell (a file of rejected lines,
    corrected and imported again)."""
    return value[1:] if isinstance(value, str) and _is_quoted(value) else value


def _is_quoted(text):
    return text[:1] == "'" and text.lstrip("'").startswith(FORMULA_STARTS)


def csv_bytes(header, rows):
    """A UTF-8 CSV file of the header and the rows (lists of cells), every
    cell through safe_cell."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(cell) for cell in header])
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return out.getvalue().encode()


def write_xlsx_row(sheet, row, values, cell_format=None):
    """Write values on row of an xlsxwriter sheet from its first column:
    numbers as numbers, anything else as a string (xlsxwriter's write() would
    turn a text starting with = into a formula and a URL into a link)."""
    for column, value in enumerate(values):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            sheet.write_number(row, column, value, cell_format)
        else:
            text = "" if value is None or value is False else str(value)
            sheet.write_string(row, column, text, cell_format)
