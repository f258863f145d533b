/*
 * fuzz_xlsx.c - libFuzzer harness for the workbook reader (xlsxread) and the
 * number rules (numtext).
 *
 * Input: a first byte choosing the mode, then the data.
 *   mode byte even: the data are a whole .xlsx file (the zip container,
 *     its directory, the deflate streams, every part);
 *   mode byte odd: the data are one XML part, wrapped by minizip's writer
 *     into an otherwise valid workbook, as the part named by (byte / 2) % 4:
 *     the first worksheet, sharedStrings.xml, styles.xml or workbook.xml
 *     (so that mutations reach the XML handlers instead of dying at the CRC).
 * Then every cell lookup, merge lookup and cell name runs on what was read,
 * and numtext_parse on every cell's text, as a share and not.
 *
 * Seeds: the workbooks of tests/fuzz/xlsx/ whole, and each of their XML
 * parts with its mode byte (mkseeds.sh). Dictionary: tests/fuzz/xlsx.dict.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "fuzz_common.h"
#include "numtext.h"
#include "util.h"
#include "xlsxread.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *book_path;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_scratch("xlsx");
    book_path = fuzz_scratch_path("book.xlsx");
    return 0;
}

static const char WORKBOOK[] =
    "<?xml version=\"1.0\"?><workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/"
    "2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
    "<sheets><sheet name=\"S\" sheetId=\"1\" r:id=\"rId1\"/><sheet name=\"T\" sheetId=\"2\" "
    "state=\"hidden\" r:id=\"rId2\"/></sheets></workbook>";
static const char RELS[] =
    "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/"
    "relationships\"><Relationship Id=\"rId1\" Type=\"x/worksheet\" Target=\"worksheets/"
    "sheet1.xml\"/><Relationship Id=\"rId2\" Type=\"x/worksheet\" Target=\"/xl/worksheets/"
    "sheet2.xml\"/><Relationship Id=\"rId3\" Type=\"x/sharedStrings\" Target=\"sharedStrings.xml\"/>"
    "<Relationship Id=\"rId4\" Type=\"x/styles\" Target=\"styles.xml\"/></Relationships>";
static const char SHEET[] =
    "<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" s=\"1\">"
    "<v>0.5</v></c></row></sheetData><mergeCells><mergeCell ref=\"A2:B3\"/></mergeCells></worksheet>";
static const char STRINGS[] = "<sst><si><t>x</t></si><si><r><t>1</t></r><r><t>2</t></r></si></sst>";
static const char STYLES[] =
    "<styleSheet><numFmts><numFmt numFmtId=\"164\" formatCode=\"0.0%\"/></numFmts><cellXfs>"
    "<xf numFmtId=\"0\"/><xf numFmtId=\"164\"/></cellXfs></styleSheet>";

static void add(zipFile z, const char *name, const void *data, size_t len)
{
    if (zipOpenNewFileInZip(z, name, NULL, NULL, 0, NULL, 0, NULL, Z_DEFLATED, 1) != ZIP_OK ||
        zipWriteInFileInZip(z, data, (unsigned)len) != ZIP_OK || zipCloseFileInZip(z) != ZIP_OK)
        fuzz_die("cannot write the wrapper workbook");
}

/* A valid workbook whose part `which` is the input. */
static void wrap(int which, const uint8_t *data, size_t size)
{
    static const char *const names[] = {"xl/worksheets/sheet1.xml", "xl/sharedStrings.xml",
                                        "xl/styles.xml", "xl/workbook.xml"};
    const char *parts[][2] = {{names[0], SHEET}, {names[1], STRINGS}, {names[2], STYLES},
                              {names[3], WORKBOOK}};
    zipFile z = zipOpen(book_path, APPEND_STATUS_CREATE);
    if (!z)
        fuzz_die("cannot create %s", book_path);
    for (int i = 0; i < 4; i++) {
        if (i == which)
            add(z, names[i], data, size);
        else
            add(z, parts[i][0], parts[i][1], strlen(parts[i][1]));
    }
    add(z, "xl/_rels/workbook.xml.rels", RELS, strlen(RELS));
    add(z, "xl/worksheets/sheet2.xml", SHEET, strlen(SHEET));
    if (zipClose(z, NULL) != ZIP_OK)
        fuzz_die("cannot close the wrapper workbook");
}

static void visit(const xlsx_book *b)
{
    for (int i = 0; i < b->nsheets; i++) {
        const xlsx_sheet *s = &b->sheets[i];
        if (xlsx_sheet_named(b, s->name) == NULL)
            abort(); /* a sheet must be found by its own name */
        for (size_t k = 0; k < s->ncells; k++) {
            const xlsx_cell *c = &s->cells[k];
            char name[16];
            double x;
            char hint[160];
            if (xlsx_cell_at(s, c->row, c->col) != c)
                abort(); /* cells are sorted and unique */
            xlsx_cell_name(c->row, c->col, name);
            xlsx_merge_at(s, c->row, c->col);
            numtext_parse(c->text, 0, &x, hint, sizeof hint);
            numtext_parse(c->text, 1, &x, hint, sizeof hint);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    if (data[0] % 2 == 0)
        fuzz_write(book_path, data + 1, size - 1);
    else
        wrap((data[0] / 2) % 4, data + 1, size - 1);
    xlsx_book b;
    char err[600];
    if (xlsx_read(book_path, &b, err, sizeof err) == 0) {
        visit(&b);
        xlsx_free(&b);
    } else if (!err[0]) {
        abort(); /* a refusal always says why */
    }
    return 0;
}
