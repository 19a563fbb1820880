/* SPDX-License-Identifier: MIT */
/* The top-level members a COCO detection file needs: images, annotations and
 * categories, each an array, and `info` (when there) an object or null. */
#include "coco_rules.h"

void bmx__rule_sections(struct bmx__problems *pr, const char first[3], char info)
{
    if (info != '\0' && info != '{' && info != 'n') {
        /* the reader names it only when the sections are right */
        size_t old = bmx__path_key(pr, "info");
        pr->late = true;
        bmx__problem(pr, BMX__REFUSE, "wrong-type", "expected an object or null, got %s",
                     bmx__json_type_name_of_text(info));
        pr->late = false;
        bmx__path_pop(pr, old);
    }
    static const char *const keys[3] = {"images", "annotations", "categories"};
    for (int s = 0; s < 3; s++) {
        size_t old = bmx__path_key(pr, keys[s]);
        if (first[s] == '\0') {
            bmx__problem(pr, BMX__REFUSE, "missing-key", "missing");
        } else if (first[s] != '[') {
            bmx__problem(pr, BMX__REFUSE, "wrong-type", "expected an array, got %s",
                         bmx__json_type_name_of_text(first[s]));
        }
        bmx__path_pop(pr, old);
    }
}
