/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the data.yaml reader (bmx__yolo_yaml_parse, libyaml underneath).
 *
 * Input: the data.yaml's bytes.
 *
 * Properties: a failure leaves a message naming the file; a document that reads
 * has at least one class name and an nc that is absent (-1) or their count; its
 * names written back by the YOLO writer's data.yaml (bmx__yolo_put_yaml) read back
 * the same, in the same order. Anchors and aliases are refused, so no input grows
 * when read (a "billion laughs" document costs what its bytes cost).
 */
#include "fuzz.h"

#include "dataset.h"
#include "yolo.h"

static void check_names_round_trip(const struct bmx__yolo_yaml *y)
{
    struct bmx_category *cats = calloc(y->names.n, sizeof *cats);
    if (cats == NULL) {
        return;
    }
    for (size_t i = 0; i < y->names.n; i++) {
        cats[i].id = (int64_t)(i + 1);
        cats[i].name = y->names.v[i];
    }
    bmx_dataset ds;
    memset(&ds, 0, sizeof ds);
    ds.cats = cats;
    ds.n_cats = y->names.n;
    struct bmx__buf b = {0};
    bool ok = bmx__yolo_put_yaml(&b, &ds, "train");
    FZ_CHECK(ok); /* names read from YAML are valid UTF-8 */
    if (!b.failed) {
        struct bmx__yolo_yaml back;
        bmx_error err;
        bmx_status st = bmx__yolo_yaml_parse(b.data, b.len, "back.yaml", NULL, NULL, &back, &err);
        if (st != BMX_E_NOMEM) {
            if (st != BMX_OK) {
                fprintf(stderr, "written data.yaml does not read back: %s\n", err.message);
            }
            FZ_CHECK(st == BMX_OK);
            FZ_CHECK(back.names.n == y->names.n && back.nc == (long long)y->names.n);
            for (size_t i = 0; i < back.names.n && i < y->names.n; i++) {
                FZ_CHECK(strcmp(back.names.v[i], y->names.v[i]) == 0);
            }
            FZ_CHECK(back.split[0].n == 1 && strcmp(back.split[0].v[0], "images/train") == 0);
        }
        bmx__yolo_yaml_free(&back);
    }
    bmx__buf_free(&b);
    free(cats);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bmx__yolo_yaml y;
    bmx_error err;
    err.message[0] = '\0';
    bmx_status st = bmx__yolo_yaml_parse((const char *)data, size, "data.yaml", NULL, NULL, &y, &err);
    if (st == BMX_OK) {
        FZ_CHECK(y.has_names && y.names.n > 0);
        FZ_CHECK(y.nc == -1 || y.nc == (long long)y.names.n);
        check_names_round_trip(&y);
    } else if (st != BMX_E_NOMEM) {
        FZ_CHECK(strncmp(err.message, "data.yaml", 9) == 0);
    }
    bmx__yolo_yaml_free(&y);
    return 0;
}
