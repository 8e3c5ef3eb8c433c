/* The floor an expat-based XLSX reader could reach: inflate the first worksheet with libzip and
 * let expat tokenise it with callbacks that only count cells, building no values at all.
 * Benchmarks/run compares this with Pathways' own scanner, which does all the work of reading.
 *
 *   cc -O2 Benchmarks/expat-baseline.c -lzip -lexpat -o expat-baseline && ./expat-baseline FILE.xlsx
 */
#include <expat.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <zip.h>

static long cells;

static void on_start(void *data, const XML_Char *name, const XML_Char **attributes) {
    (void)data; (void)attributes;
    if (name[0] == 'c' && name[1] == 0) cells++;
}
static void on_end(void *data, const XML_Char *name) { (void)data; (void)name; }
static void on_text(void *data, const XML_Char *text, int length) { (void)data; (void)text; (void)length; }

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: expat-baseline FILE.xlsx\n"); return 2; }
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    int error = 0;
    zip_t *archive = zip_open(argv[1], ZIP_RDONLY, &error);
    if (!archive) { fprintf(stderr, "cannot open %s\n", argv[1]); return 1; }
    zip_file_t *sheet = zip_fopen(archive, "xl/worksheets/sheet1.xml", 0);
    if (!sheet) { fprintf(stderr, "no xl/worksheets/sheet1.xml\n"); return 1; }
    XML_Parser parser = XML_ParserCreate(NULL);
    XML_SetElementHandler(parser, on_start, on_end);
    XML_SetCharacterDataHandler(parser, on_text);
    static char buffer[1 << 20];
    zip_int64_t count;
    while ((count = zip_fread(sheet, buffer, sizeof buffer)) > 0) {
        if (XML_Parse(parser, buffer, (int)count, 0) == XML_STATUS_ERROR) { fprintf(stderr, "XML error\n"); return 1; }
    }
    XML_Parse(parser, buffer, 0, 1);
    clock_gettime(CLOCK_MONOTONIC, &end);
    double seconds = (end.tv_sec - start.tv_sec) + (end.tv_nsec - start.tv_nsec) / 1e9;
    printf("expat (inflate and tokenise only, no values): %ld cells in %.2f s\n", cells, seconds);
    XML_ParserFree(parser);
    zip_fclose(sheet);
    zip_discard(archive);
    return 0;
}
